//! Generated inputs for the benchmarks: a large scheme, and a corpus of realistic tips.
//! Deterministic: the same seed gives the same bytes.

#![allow(dead_code)]

/// The benches run the library with the allocator the `rectify` binary uses (src/main.rs).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A small, fast, deterministic generator (xorshift64*).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }

    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    pub fn pick<'a>(&mut self, items: &'a [&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// A scheme of about `lines` lines: one campaign, areas of ten categories of eight symptoms,
/// each with its own literals.
pub fn scheme(lines: usize) -> String {
    let mut out = String::from(
        "专项 generated {\n  标题 \"生成的专项\"\n  辖区 520203 \"六枝特区\"\n  起止 2022-01-01 至 2022-12-31\n  部门 office \"领导小组办公室\"\n  责任 牵头 office\n",
    );
    let symbols: Vec<char> =
        "作风形式官僚担当落实基层负担会议文件督查检查考核群众企业服务执法纪律学习调研"
            .chars()
            .collect();
    let mut n = 0usize;
    let mut area = 0;
    while out.lines().count() < lines {
        out.push_str(&format!("  方面 a{area} \"第{area}方面\" {{\n"));
        for category in 0..10 {
            out.push_str(&format!(
                "    类别 a{area}c{category} \"第{area}方面第{category}类\" {{\n"
            ));
            for symptom in 0..8 {
                let word = |k: usize| -> String {
                    let mut w = String::new();
                    let mut x = k;
                    for _ in 0..4 {
                        w.push(symbols[x % symbols.len()]);
                        x /= symbols.len();
                    }
                    w
                };
                out.push_str(&format!(
                    "      表现 a{area}c{category}s{symptom} \"表现{n}\" 匹配 任一(\"{}\", 邻近(\"{}\", \"{}\", 10))\n",
                    word(3 * n),
                    word(3 * n + 1),
                    word(3 * n + 2)
                ));
                n += 1;
            }
            out.push_str("    }\n");
        }
        out.push_str("  }\n");
        area += 1;
    }
    out.push_str("  不予受理 dup 当 重复反映 理由 \"同一事项重复反映的\"\n}\n");
    out
}

const OPENINGS: &[&str] = &[
    "我是某镇的一名村干部,想反映一个情况。",
    "本人系辖区内一家企业的负责人,现将有关问题反映如下。",
    "我們是某街道的居民,向領導小組反映一件事。",
    "据群众反映,",
    "今年以来,",
    "在近期的一次检查中,",
];

const PROBLEMS: &[&str] = &[
    "{place}层层开会,{m}月份超计划加开全区性会议{n}次,{who}几乎天天在路上开会。",
    "{place}要求各村每周重复填表、多头填报,同一份数据要按{n}个部门的格式报送。",
    "{place}领导在工作群里要求全体职工安装APP并网络投票,{who}说不参加的要点名。",
    "{place}出台的政策照抄照搬外地文件,{who}说完全不切合本地实际。",
    "{place}工作人員接待企業時語氣生硬、態度傲慢,停水停電也不發通知,{who}很有意見。",
    "{place}落實(shí)上級部署只是做樣子、搞形式,只求過得去,{n}項任務都沒有落地。",
    "{who}上班时间溜岗,经常迟到早退,群众来{place}办事找不到人。",
    "執法人員對{place}的小毛病小題大做,動輒要求停產整頓,採取一刀切的做法。",
    "{place}汇报工作报喜不报忧,{m}月份的数据统计注水失真。",
    "{place}把制度规定当作挡箭牌,{who}明明可以容缺受理却一再推脱。",
    "{place}把群众诉求一级推一级,一个部门推一个部门,{n}天了谁也不管。",
    "{who}经常邀请企业老板参加私人聚会,最后让企业老板买单。",
    "{place}修路的钱迟迟不到位,工程停了{n}个月。",
    "{place}门口的路灯坏了{n}天,希望有关部门尽快修好。",
];

const DETAILS: &[&str] = &[
    "这种情况已经持续了{n}个多月,{who}和群众意见很大,大家都觉得这样下去不行。",
    "我们{n}次向{place}有关科室反映,对方总说研究研究,至今没有任何答复。",
    "希望领导小组能够认真核实,督促{place}尽快整改,给群众一个交代。",
    "{m}月{d}日上午,{who}在{place}亲眼看到了这一幕,可以配合调查,提供照片和聊天记录。",
    "類似的問題在{place}也有發生,{who}說已經持續了{n}年,希望能夠舉一反三。",
    "企业的正常生产经营因此受到很大影响,损失估计在{n}万元以上,{n}名职工的工资也受到了影响。",
    "这件事在{place}群众中影响很坏,{who}私下议论纷纷,对政府的信任也打了折扣。",
    "我反映的情况属实,愿意承担相应责任,请组织上保护反映人的个人信息。",
    "{who}告诉我,{m}月份以来已经有{n}户群众为这件事跑了不止一趟。",
    "去年{m}月{place}也出过类似的事,当时{who}出面协调才算解决,今年又反弹了。",
    "相关的会议纪要、通知文件和工作群截图我都保存着,一共有{n}份。",
    "{place}的办事窗口下午{n}点就没人了,群众只能第二天再来,来回要跑{n}趟。",
    "听说{who}下个月要调走,希望在他走之前把这件事情说清楚,不要不了了之。",
    "村里{n}位老党员联名写了材料,{m}月{d}日交给了{place},到现在也没有回音。",
];

const WHO: &[&str] = &[
    "张某",
    "王某某",
    "李主任",
    "赵书记",
    "刘科长",
    "陈某",
    "杨副局长",
    "黄某某",
    "周站长",
    "吴干事",
    "村民孙某",
    "企业负责人郑某",
    "网格员冯某",
    "老党员何某",
];

const SITES: &[&str] = &[
    "某镇政府",
    "某街道办事处",
    "区里某局",
    "县某股室",
    "某村委会",
    "某社区",
    "某乡卫生院",
    "某中学",
    "便民服务中心",
    "某工业园区管委会",
    "某派出所",
    "某供电所",
];

/// A sentence of `templates` with its blanks filled.
fn fill(rng: &mut Rng, templates: &[&str]) -> String {
    let mut text = rng.pick(templates).to_string();
    while let Some(at) = text.find('{') {
        let end = at + text[at..].find('}').expect("templates close their blanks");
        let value = match &text[at + 1..end] {
            "n" => (2 + rng.below(40)).to_string(),
            "m" => (1 + rng.below(12)).to_string(),
            "d" => (1 + rng.below(28)).to_string(),
            "who" => rng.pick(WHO).to_string(),
            _ => rng.pick(SITES).to_string(),
        };
        text.replace_range(at..=end, &value);
    }
    text
}

const PLACES: &[(&str, &str)] = &[
    ("520203", "六枝特区某局"),
    ("520203101", "某镇人民政府"),
    ("341824", "绩溪县某股室"),
    ("120118", "静海区某街道"),
    ("120118101", "静海区某镇"),
    ("520221", "水城区某局"),
    ("", "某单位"),
];

/// One tip record of about `size` bytes of text, as a JSON line.
pub fn tip(rng: &mut Rng, id: usize, size: usize) -> String {
    let mut text = String::new();
    text.push_str(rng.pick(OPENINGS));
    text.push_str(&fill(rng, PROBLEMS));
    while text.len() < size {
        text.push_str(&fill(rng, DETAILS));
    }
    let (region, name) = PLACES[rng.below(PLACES.len())];
    let year = 2016 + rng.below(8);
    let month = 1 + rng.below(12);
    let day = 1 + rng.below(28);
    let reporter = if rng.below(3) == 0 {
        format!(
            ",\"reporter\":{{\"name\":\"反映人{id}\",\"contact\":\"139{:08}\"}}",
            id
        )
    } else {
        String::new()
    };
    let region = if region.is_empty() {
        String::new()
    } else {
        format!(",\"region\":\"{region}\"")
    };
    format!(
        "{{\"id\":\"T{id:07}\",\"text\":\"{text}\",\"received\":\"{year}-{month:02}-{day:02}T09:30:00\",\"channel\":\"{}\"{reporter},\"subject\":{{\"name\":\"{name}\",\"kind\":\"党政机关\"{region}}}}}\n",
        ["电话", "来信", "邮箱", "来访", "网络"][rng.below(5)]
    )
}

/// `count` tips of about `size` bytes each, as JSON Lines.
pub fn tips(count: usize, size: usize, seed: u64) -> String {
    let mut rng = Rng::new(seed);
    (0..count).map(|id| tip(&mut rng, id, size)).collect()
}
