//! The holiday calendar: the built-in State Council schedules against an independent dataset,
//! day by day, and due dates counted as the law counts them around every holiday of 2022 and
//! 2026.

use chrono::{Datelike, NaiveDate};
use rectify::check::{built_in_calendar, lower_built_in_calendar};
use rectify::eval::calendar::{Skipped, count};

fn date(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

#[test]
fn the_built_in_table_has_no_problem_and_covers_2016_to_2026() {
    let (calendar, problems) = lower_built_in_calendar();
    assert!(problems.is_empty(), "{problems:?}");
    let years: Vec<i32> = calendar.schedules().map(|s| s.year).collect();
    assert_eq!(years, (2016..=2026).collect::<Vec<_>>());
    for schedule in calendar.schedules() {
        assert_eq!(
            schedule.title,
            format!("国务院办公厅关于{}年部分节假日安排的通知", schedule.year)
        );
        let issued = schedule.issued.expect("every notice has its date");
        assert_eq!(issued.year(), schedule.year - 1, "{}", schedule.year);
    }
}

#[test]
fn every_day_of_2016_to_2026_agrees_with_an_independent_dataset() {
    let calendar = built_in_calendar();
    let mut day = date("2016-01-01");
    let mut disagreements = Vec::new();
    // The dataset stops at 2026-12-25.
    while day <= date("2026-12-25") {
        let theirs = chinese_holiday::chinese_holiday(chinese_holiday::Ymd::new(
            day.year() as u16,
            day.month() as u8,
            day.day() as u8,
        ))
        .is_workday();
        if calendar.is_working_day(day) != theirs {
            disagreements.push(day);
        }
        day = day.succ_opt().unwrap();
    }
    // The dataset's two slips, both against the 2016 and 2017 notices' own words (and the
    // PyPI `chinesecalendar` package agrees with the notices on both):
    // - 2016-10-09: "10月8日（星期六）、10月9日（星期日）上班" — a working Sunday; the dataset
    //   lists only 10-08.
    // - 2016-12-30: "元旦：1月1日放假，1月2日（星期一）补休" — Friday 12-30 was a working day;
    //   the dataset makes it a day off.
    assert_eq!(
        disagreements,
        [date("2016-10-09"), date("2016-12-30")],
        "a disagreement beyond the dataset's known slips is a transcription error"
    );
    assert!(built_in_calendar().is_working_day(date("2016-10-09")));
    assert!(built_in_calendar().is_working_day(date("2016-12-30")));
}

/// `days` working days (or calendar days) after `from`, and whether provisional.
fn due(from: &str, days: u32, working: bool) -> (NaiveDate, Option<i32>) {
    let counted = count(built_in_calendar(), date(from), days, working, |_, _| {});
    (counted.date, counted.unknown_year)
}

#[test]
fn thirty_working_days_from_before_national_day_skip_it_and_count_the_working_weekend() {
    // 国庆 2022: 10-01 → 10-07 off, Saturday 10-08 and Sunday 10-09 working.
    assert_eq!(due("2022-09-28", 30, true), (date("2022-11-14"), None));
    let mut skipped = Vec::new();
    count(
        built_in_calendar(),
        date("2022-09-28"),
        30,
        true,
        |d, why| {
            if matches!(why, Skipped::Holiday(_)) {
                skipped.push(d)
            }
        },
    );
    assert_eq!(skipped.len(), 7);
    assert_eq!(skipped[0], date("2022-10-01"));
}

#[test]
fn working_days_around_every_holiday_of_2022() {
    let cases = [
        // 元旦 01-01..03: from Friday 12-31-2021, one working day is Tuesday 01-04.
        ("2021-12-31", 1, "2022-01-04"),
        // 春节 01-31..02-06, Saturday 01-29 and Sunday 01-30 working.
        ("2022-01-28", 1, "2022-01-29"),
        ("2022-01-28", 3, "2022-02-07"),
        // Starting inside the holiday: the first working day after it is day one.
        ("2022-02-02", 1, "2022-02-07"),
        // 清明 04-03..05, Saturday 04-02 working: a deadline may end on it.
        ("2022-04-01", 1, "2022-04-02"),
        ("2022-04-01", 2, "2022-04-06"),
        // 劳动节 04-30..05-04, Sunday 04-24 and Saturday 05-07 working.
        ("2022-04-23", 1, "2022-04-24"),
        ("2022-04-29", 1, "2022-05-05"),
        ("2022-05-06", 1, "2022-05-07"),
        // 端午 06-03..05.
        ("2022-06-02", 1, "2022-06-06"),
        // 中秋 09-10..12.
        ("2022-09-09", 1, "2022-09-13"),
        // 国庆 10-01..07, 10-08 and 10-09 working.
        ("2022-09-30", 1, "2022-10-08"),
        ("2022-09-30", 3, "2022-10-10"),
    ];
    for (from, days, expected) in cases {
        assert_eq!(
            due(from, days, true),
            (date(expected), None),
            "{from} + {days}"
        );
    }
}

#[test]
fn calendar_days_ending_on_a_rest_day_move_to_the_next_working_day_2022() {
    let cases = [
        // Ends on 01-01 (元旦): moves to 01-04.
        ("2021-12-22", 10, "2022-01-04"),
        // Ends on Sunday 01-30, a working day of 春节: stays.
        ("2022-01-20", 10, "2022-01-30"),
        // Ends inside 春节: moves to 02-07.
        ("2022-01-25", 10, "2022-02-07"),
        // Ends on Saturday 04-02, a working day: stays.
        ("2022-03-23", 10, "2022-04-02"),
        // Ends on 05-01: moves to 05-05.
        ("2022-04-21", 10, "2022-05-05"),
        // Ends on 06-04 (端午): moves to 06-06.
        ("2022-05-25", 10, "2022-06-06"),
        // Ends on 09-11 (中秋): moves to 09-13.
        ("2022-09-01", 10, "2022-09-13"),
        // Ends on 10-03 (国庆): moves to Saturday 10-08, a working day.
        ("2022-09-23", 10, "2022-10-08"),
        // Ends on an ordinary Saturday: moves to Monday.
        ("2022-06-15", 10, "2022-06-27"),
        // Ends on a weekday: stays.
        ("2022-06-10", 15, "2022-06-27"),
    ];
    for (from, days, expected) in cases {
        assert_eq!(
            due(from, days, false),
            (date(expected), None),
            "{from} + {days} 日"
        );
    }
}

#[test]
fn working_and_calendar_days_around_every_holiday_of_2026() {
    let working = [
        // 元旦 01-01..03, Sunday 01-04 working.
        ("2025-12-31", 1, "2026-01-04"),
        // 春节 02-15..23, Saturdays 02-14 and 02-28 working.
        ("2026-02-13", 1, "2026-02-14"),
        ("2026-02-13", 2, "2026-02-24"),
        ("2026-02-18", 1, "2026-02-24"),
        ("2026-02-27", 1, "2026-02-28"),
        // 清明 04-04..06.
        ("2026-04-03", 1, "2026-04-07"),
        // 劳动节 05-01..05, Saturday 05-09 working.
        ("2026-04-30", 1, "2026-05-06"),
        ("2026-05-08", 1, "2026-05-09"),
        // 端午 06-19..21.
        ("2026-06-18", 1, "2026-06-22"),
        // 中秋 09-25..27, Sunday 09-20 working.
        ("2026-09-19", 1, "2026-09-20"),
        ("2026-09-24", 1, "2026-09-28"),
        // 国庆 10-01..07, Saturday 10-10 working.
        ("2026-09-30", 1, "2026-10-08"),
        ("2026-10-09", 1, "2026-10-10"),
    ];
    for (from, days, expected) in working {
        assert_eq!(
            due(from, days, true),
            (date(expected), None),
            "{from} + {days}"
        );
    }
    let calendar_days = [
        ("2025-12-22", 10, "2026-01-04"),
        ("2026-02-06", 10, "2026-02-24"),
        ("2026-02-04", 10, "2026-02-14"),
        ("2026-03-25", 10, "2026-04-07"),
        ("2026-04-23", 10, "2026-05-06"),
        ("2026-06-10", 10, "2026-06-22"),
        ("2026-09-16", 10, "2026-09-28"),
        ("2026-09-22", 10, "2026-10-08"),
        ("2026-09-30", 10, "2026-10-10"),
    ];
    for (from, days, expected) in calendar_days {
        assert_eq!(
            due(from, days, false),
            (date(expected), None),
            "{from} + {days} 日"
        );
    }
}

#[test]
fn a_deadline_into_a_year_without_a_schedule_is_counted_over_weekends_and_provisional() {
    // 2026-12-28 is a Monday; 2027 has no schedule yet.
    assert_eq!(
        due("2026-12-28", 10, true),
        (date("2027-01-11"), Some(2027))
    );
    assert_eq!(
        due("2026-12-22", 10, false),
        (date("2027-01-01"), Some(2027))
    );
    // Within 2026: not provisional.
    assert_eq!(due("2026-12-01", 5, true), (date("2026-12-08"), None));
}

mod command_line {
    use std::path::PathBuf;
    use std::process::Command;

    fn rectify(args: &[&str]) -> (i32, String, String) {
        let output = Command::new(env!("CARGO_BIN_EXE_rectify"))
            .env("RECTIFY_LANG", "en")
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("NO_COLOR", "1")
            .args(args)
            .output()
            .expect("the rectify binary runs");
        (
            output.status.code().unwrap_or(-1),
            String::from_utf8(output.stdout).unwrap(),
            String::from_utf8(output.stderr).unwrap(),
        )
    }

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("rectify-cal-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    const SCHEME: &str = r#"专项 demo {
  标题 "示例专项"
  辖区 520203 "六枝特区"
  起止 2026-06-01 至 2027-06-30
  部门 office "领导小组办公室"
  责任 牵头 office
  方面 a "方面" {
    类别 c "类别" {
      表现 s "层层开会" 匹配 "层层开会"
    }
  }
  时限 办理 10 工作日
}
"#;

    const TIP: &str = r#"{"id":"T1","text":"某局层层开会","received":"2026-12-28","subject":{"name":"某局","region":"520203"}}"#;

    #[test]
    fn the_calendar_command_counts_a_deadline_and_names_what_it_skipped() {
        let (code, stdout, _) = rectify(&["calendar", "--add", "2022-09-28", "30", "工作日"]);
        assert_eq!(code, 0);
        assert!(
            stdout.starts_with("2022-09-28 + 30 working days = 2022-11-14"),
            "{stdout}"
        );
        assert_eq!(stdout.matches("国庆节").count(), 7, "{stdout}");
        let (code, stdout, _) = rectify(&[
            "calendar",
            "--add",
            "2026-12-22",
            "10",
            "日",
            "--format",
            "json",
        ]);
        assert_eq!(code, 1, "a provisional count exits 1");
        let value: serde_json::Value = serde_json::from_str(&stdout).unwrap();
        assert_eq!(value["due"], "2027-01-01");
        assert_eq!(value["provisional"], "no holiday schedule for 2027 yet");
    }

    #[test]
    fn the_calendar_command_shows_a_year_and_says_when_it_does_not_know_one() {
        let (code, stdout, _) = rectify(&["calendar", "2026", "--format", "json"]);
        assert_eq!(code, 0);
        let value: serde_json::Value = serde_json::from_str(&stdout).unwrap();
        let spring = value["holidays"]
            .as_array()
            .unwrap()
            .iter()
            .find(|h| h["holiday"] == "春节")
            .unwrap();
        assert_eq!(spring["off"].as_array().unwrap().len(), 9);
        assert_eq!(
            spring["working"],
            serde_json::json!(["2026-02-14", "2026-02-28"])
        );
        let (code, stdout, _) = rectify(&["calendar", "2027"]);
        assert_eq!(code, 1);
        assert!(
            stdout.contains("no holiday schedule for 2027 yet"),
            "{stdout}"
        );
    }

    #[test]
    fn a_due_date_past_the_known_years_is_provisional_until_a_calendar_file_adds_the_year() {
        let dir = scratch("provisional");
        let scheme = dir.join("demo.scheme");
        std::fs::write(&scheme, SCHEME).unwrap();
        let tips = dir.join("tips.jsonl");
        std::fs::write(&tips, format!("{TIP}\n")).unwrap();
        let (code, stdout, stderr) = rectify(&[
            "eval",
            "-s",
            scheme.to_str().unwrap(),
            tips.to_str().unwrap(),
        ]);
        assert_eq!(code, 0, "{stderr}");
        assert!(
            stderr.contains("rectify::check::window_past_calendar"),
            "{stderr}"
        );
        let record: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
        let due = &record["decisions"][0]["due"];
        assert_eq!(due["handle"], "2027-01-11");
        assert_eq!(due["provisional"], "no holiday schedule for 2027 yet");

        let calendar = dir.join("2027.holidays");
        std::fs::write(
            &calendar,
            "节假日安排 2027 \"国务院办公厅关于2027年部分节假日安排的通知\" 发布日期 2026-11-05 {\n  放假 元旦 2027-01-01\n}\n",
        )
        .unwrap();
        let (code, stdout, stderr) = rectify(&[
            "eval",
            "-s",
            scheme.to_str().unwrap(),
            "--calendar",
            calendar.to_str().unwrap(),
            tips.to_str().unwrap(),
        ]);
        assert_eq!(code, 0, "{stderr}");
        assert!(!stderr.contains("window_past_calendar"), "{stderr}");
        let record: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
        let due = &record["decisions"][0]["due"];
        assert_eq!(
            due["handle"], "2027-01-12",
            "元旦 2027 is no longer counted"
        );
        assert!(due.get("provisional").is_none(), "{due}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn duties_are_listed_over_the_window_with_rest_days_named() {
        let (code, stdout, _) = rectify(&["duties", "-s", "schemes/jinghai-2021-2023.scheme"]);
        assert_eq!(code, 0);
        assert!(
            stdout.contains("2021-03-20 (Sat) — a rest day; the next working day is 2021-03-22"),
            "{stdout}"
        );
        assert!(
            stdout.contains("2021-02-20 (Sat)\n"),
            "a working Saturday (调休) is no rest day:\n{stdout}"
        );
    }
}
