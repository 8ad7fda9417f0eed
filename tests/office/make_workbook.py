"""Writes tips.xlsx, the workbook twin of tips.csv, as a spreadsheet program stores it.

Written with openpyxl, a writer independent of the one rectify uses, so that the test reads a
workbook rectify did not make. Dates are date cells (one a bare serial number, one typed as
text, as people do), division codes and phone numbers are number cells. A second sheet holds
rows that must become error records. Run `python3 make_workbook.py` here to remake it.
"""

import datetime

import openpyxl

HEADER = ["编号", "内容", "收到日期", "渠道", "反映人", "联系方式", "对象名称", "对象类型", "对象层级", "对象地区"]

ROWS = [
    ["L01", "六枝特区某局今年以来层层开会,五月份超计划加开全区性会议三次,乡镇主要负责人疲于奔命。",
     datetime.datetime(2022, 6, 10, 9, 30), "电话", "张某", 13900000000, "特区某局", "党政机关", "区级", 520203],
    ["L02", "某鎮政府工作人員接待企業時語氣生硬、態度傲慢,停水停電也不發通知,企業生產受到很大影響。",
     datetime.date(2022, 7, 1), "来访", None, None, "某镇人民政府", "党政机关", "乡级", 520203101],
    ["L03", "根據(jù)群眾反映,某局落實(shí)上級部署時書面材料玩文字游戲,數據統計注水失真。",
     (datetime.date(2022, 7, 2) - datetime.date(1899, 12, 30)).days, "网络", None, None, "特区某局", "党政机关", None, 520203],
    ["L04", "某镇要求村里重复填表、多头填报,还在工作群里要求干部关注公众号、网络投票。",
     "2022/7/3 8:15", "邮箱", "李某", None, "某镇人民政府", "党政机关", "乡级", 520203102],
    ["L05", "六枝特区某局今年以来还是层层开会,五月份又超计划加开全区性会议三次,乡镇主要负责人疲于奔命!",
     datetime.date(2022, 6, 12), "电话", None, None, "特区某局", "党政机关", "区级", 520203],
    ["L06", "我和邻居签了房屋买卖合同,现在发生合同纠纷,对方欠款不还,请领导小组帮忙。",
     datetime.date(2022, 6, 13), "来访", "王某", "0858-0000000", "邻居赵某", "公职人员", None, 520203],
    ["C07", "某局干部上班溜岗。", "2022-13-01", "电话", None, None, "特区某局", "党政机关", "区级", 520203],
    ["C08", "某局干部上班溜岗,经常迟到早退。",
     datetime.date(2022, 6, 20), "电话", None, None, "特区某局", "党政机关", "区级", 520203],
]

PROBLEMS = [
    ["E01", "某局干部上班溜岗。", "#N/A", "电话", None, None, "特区某局", "党政机关", "区级", 520203],
    ["E02", "某局干部上班溜岗。", datetime.date(2022, 6, 20), "电话", None, None, "特区某局", "党政机关", "部级", 520203],
    [None, "某局干部上班溜岗。", datetime.date(2022, 6, 20), "电话", "赵某", 13800000000, "特区某局", "党政机关", "区级", 520203],
    ["E04", "某局干部上班溜岗。", True, "电话", None, None, "特区某局", "党政机关", "区级", 520203],
]


def fill(sheet, rows):
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    for cell in sheet["C"][1:]:
        if isinstance(cell.value, datetime.datetime):
            cell.number_format = "yyyy/m/d h:mm"
        elif isinstance(cell.value, datetime.date):
            cell.number_format = "yyyy/m/d"
        elif cell.value == "#N/A":
            cell.data_type = "e"


book = openpyxl.Workbook()
fill(book.active, ROWS)
book.active.title = "线索"
fill(book.create_sheet("有问题的行"), PROBLEMS)
book.save("tips.xlsx")
