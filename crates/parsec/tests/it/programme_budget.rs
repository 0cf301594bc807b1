//! The programme's budget: amounts typed in euros or in francs CFA kept exactly, both figures;
//! the execution rates by component and for a period against figures worked out by hand; a
//! form's every mistake at once; the XLSX report imported back into a fresh database with the
//! same totals; a wrong workbook refused cell by cell with nothing written; who may edit.

use parsec::audit::Actor;
use parsec::programme::budget::{
    self, Amount, Component, EntryKind, ImportError, ImportSheet, NewEntry, NewLine, Period,
    RowProblem, Totals,
};

use crate::support::{TestApp, location};

/// The French catalogue: a refusal's message is compared with its source, not retyped.
const FR: &str = include_str!("../../i18n/fr.ftl");

fn fr_raw(key: &str) -> String {
    FR.lines()
        .find_map(|l| {
            let (k, v) = l.split_once('=')?;
            (k.trim() == key).then(|| v.trim().to_string())
        })
        .unwrap_or_else(|| panic!("{key} is not in fr.ftl"))
}

/// A message as a page shows it (HTML-escaped, as askama does).
fn html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn fr(key: &str) -> String {
    html(&fr_raw(key))
}

fn day(s: &str) -> time::Date {
    parsec::db::day(s).unwrap()
}

fn actor() -> Actor {
    Actor::system("programme")
}

fn line(code: &str, component: Component, title: &str, planned_eur_cents: i64) -> NewLine {
    NewLine {
        code: code.into(),
        component,
        activity_id: None,
        title: title.into(),
        planned_eur_cents,
        demo: false,
    }
}

fn entry(kind: EntryKind, on: &str, amount: Amount, reference: &str) -> NewEntry {
    NewEntry {
        kind,
        on_day: day(on),
        amount,
        reference: reference.into(),
        demo: false,
    }
}

async fn count(app: &TestApp, sql: &'static str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(&app.state.db)
        .await
        .unwrap()
}

/// Four lines and seven entries whose sums are worked out by hand below.
async fn seed(app: &TestApp) -> [String; 4] {
    use EntryKind::{Commitment, Payment};
    let s = &app.state;
    let a = budget::create_line(
        s,
        &actor(),
        &line(
            "T1.1",
            Component::Securite,
            "Formation des brigades",
            10_000_000,
        ),
    )
    .await
    .unwrap();
    let b = budget::create_line(
        s,
        &actor(),
        &line("T1.2", Component::Securite, "Patrouilles mixtes", 5_000_000),
    )
    .await
    .unwrap();
    let c = budget::create_line(
        s,
        &actor(),
        &line(
            "T2.1",
            Component::Frontieres,
            "Postes frontières",
            20_000_000,
        ),
    )
    .await
    .unwrap();
    let d = budget::create_line(
        s,
        &actor(),
        &line("T3.1", Component::Moyens, "Hangar de Sévaré", 0),
    )
    .await
    .unwrap();
    for (l, e) in [
        // 60,000.00 € committed: 39,357,420 FCFA.
        (
            &a,
            entry(Commitment, "2026-01-15", Amount::Eur(6_000_000), "BC-1"),
        ),
        // 19,678,710 FCFA paid: 30,000.00 € exactly.
        (
            &a,
            entry(Payment, "2026-02-10", Amount::Fcfa(19_678_710), "OP-1"),
        ),
        // One cent: 6.55957 FCFA, 7.
        (&a, entry(Payment, "2026-03-05", Amount::Eur(1), "OP-2")),
        // 1,000 FCFA: 1.5245 €, 1.52 €.
        (&b, entry(Commitment, "2026-02-01", Amount::Fcfa(1_000), "")),
        // 150,000 €: 98,393,550 FCFA.
        (
            &c,
            entry(
                Commitment,
                "2026-01-20",
                Amount::Eur(15_000_000),
                "Contrat 7",
            ),
        ),
        // 45,000.50 €: 29,518,393.4785 FCFA, 29,518,393.
        (
            &c,
            entry(Payment, "2026-04-01", Amount::Eur(4_500_050), "OP-3"),
        ),
        // A commitment reduced by 10,000 €: -6,559,570 FCFA.
        (
            &c,
            entry(
                Commitment,
                "2026-04-02",
                Amount::Eur(-1_000_000),
                "Avenant 1",
            ),
        ),
    ] {
        budget::record_entry(s, &actor(), l, &e).await.unwrap();
    }
    [a, b, c, d]
}

#[tokio::test]
async fn amounts_are_kept_in_both_currencies_and_rates_are_the_hand_figures() {
    let app = TestApp::spawn_empty().await;
    let [a, _, c, _] = seed(&app).await;
    // Both figures, as typed and as converted once.
    let stored: Vec<(String, i64, i64)> = sqlx::query_as(
        "SELECT reference, eur_cents, fcfa FROM budget_entries ORDER BY on_day, reference",
    )
    .fetch_all(&app.state.db)
    .await
    .unwrap();
    let expected = [
        ("BC-1", 6_000_000, 39_357_420),
        ("Contrat 7", 15_000_000, 98_393_550),
        ("", 152, 1_000),
        ("OP-1", 3_000_000, 19_678_710),
        ("OP-2", 1, 7),
        ("OP-3", 4_500_050, 29_518_393),
        ("Avenant 1", -1_000_000, -6_559_570),
    ];
    assert_eq!(
        stored,
        expected
            .iter()
            .map(|(r, e, f)| (r.to_string(), *e, *f))
            .collect::<Vec<_>>()
    );
    // Every write has its audit entry.
    let audited: i64 = count(
        &app,
        "SELECT COUNT(*) FROM audit_log WHERE action = 'create' AND entity IN ('budget_line', 'budget_entry')",
    )
    .await;
    assert_eq!(audited, 4 + 7);

    // The execution, by component and in all.
    let e = budget::execution(&app.state, Period::default())
        .await
        .unwrap();
    let securite = Totals {
        planned_eur: 15_000_000,
        planned_fcfa: 98_393_550,
        committed_eur: 6_000_152,
        committed_fcfa: 39_358_420,
        paid_eur: 3_000_001,
        paid_fcfa: 19_678_717,
    };
    let frontieres = Totals {
        planned_eur: 20_000_000,
        planned_fcfa: 131_191_400,
        committed_eur: 14_000_000,
        committed_fcfa: 91_833_980,
        paid_eur: 4_500_050,
        paid_fcfa: 29_518_393,
    };
    let moyens = Totals::default();
    assert_eq!(
        e.by_component,
        vec![
            (Component::Securite, securite),
            (Component::Frontieres, frontieres),
            (Component::Moyens, moyens),
            (Component::Gestion, Totals::default()),
        ]
    );
    assert_eq!(
        e.total,
        Totals {
            planned_eur: 35_000_000,
            planned_fcfa: 229_584_950,
            committed_eur: 20_000_152,
            committed_fcfa: 131_192_400,
            paid_eur: 7_500_051,
            paid_fcfa: 49_197_110,
        }
    );
    // The rates of the execution read back, as fractions of the sums above (a float only at
    // the end).
    let rates = |i: usize| &e.by_component[i].1;
    assert_eq!(rates(0).committed_rate(), Some(6_000_152.0 / 15_000_000.0));
    assert_eq!(rates(0).paid_rate(), Some(3_000_001.0 / 15_000_000.0));
    assert_eq!(rates(1).committed_rate(), Some(0.7));
    assert_eq!(rates(1).paid_rate(), Some(4_500_050.0 / 20_000_000.0));
    assert_eq!(rates(2).paid_rate(), None, "nothing planned: no rate");
    assert_eq!(e.total.paid_rate(), Some(7_500_051.0 / 35_000_000.0));

    // For February and March only: the commitment of 1.2 and the two payments of 1.1.
    let feb_mar = Period {
        from: Some(day("2026-02-01")),
        to: Some(day("2026-03-31")),
    };
    let e = budget::execution(&app.state, feb_mar).await.unwrap();
    assert_eq!(e.by_component[0].1.committed_eur, 152);
    assert_eq!(e.by_component[0].1.paid_eur, 3_000_001);
    assert_eq!(
        e.by_component[0].1.planned_eur, 15_000_000,
        "a plan has no period"
    );
    assert_eq!(e.by_component[1].1.committed_eur, 0);
    assert_eq!(e.by_component[1].1.paid_rate(), Some(0.0));
    let l = budget::line(&app.state, &a, feb_mar).await.unwrap();
    assert_eq!(
        (l.totals.committed_eur, l.totals.paid_fcfa),
        (0, 19_678_717)
    );

    // A correction never takes a line below zero; zero says nothing; no entry in the future.
    let refused = budget::record_entry(
        &app.state,
        &actor(),
        &c,
        &entry(
            EntryKind::Payment,
            "2026-05-01",
            Amount::Eur(-4_500_051),
            "",
        ),
    )
    .await
    .unwrap_err();
    assert_eq!(refused.problems(), [("amount", "budget-error-below-zero")]);
    let tomorrow = parsec::db::now().date() + time::Duration::days(1);
    let refused = budget::record_entry(
        &app.state,
        &actor(),
        &c,
        &NewEntry {
            on_day: tomorrow,
            ..entry(EntryKind::Payment, "2026-05-01", Amount::Fcfa(0), "")
        },
    )
    .await
    .unwrap_err();
    assert_eq!(
        refused.problems(),
        [
            ("on_day", "error-future-date"),
            ("amount", "budget-error-zero")
        ]
    );
    // A code is unique.
    let taken = budget::create_line(
        &app.state,
        &actor(),
        &line("T1.1", Component::Gestion, "Doublon", 1),
    )
    .await
    .unwrap_err();
    assert_eq!(taken.problems(), [("code", "budget-error-code-taken")]);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM budget_entries").await, 7);
}

#[tokio::test]
async fn a_form_shows_every_mistake_at_once_and_writes_nothing() {
    let app = TestApp::spawn().await;
    let mut programme = app.login("programme").await;
    let lines_before = count(&app, "SELECT COUNT(*) FROM budget_lines").await;
    let (code, page) = programme
        .post_form_text(
            "/programme/budget/lines/new",
            &[
                ("code", ""),
                ("component", "ailleurs"),
                ("title", " "),
                ("planned", "douze mille"),
            ],
        )
        .await;
    assert_eq!(code, 422);
    assert_eq!(page.matches("class=\"msg-field\"").count(), 4, "{page}");
    for key in ["error-required", "error-bad-choice", "error-not-a-number"] {
        assert!(page.contains(&fr(key)), "{key}: {page}");
    }
    assert!(
        page.contains("value=\"douze mille\""),
        "what was typed stays"
    );
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM budget_lines").await,
        lines_before
    );

    // A good line, then an entry form with four mistakes.
    let res = programme
        .post_form(
            "/programme/budget/lines/new",
            &[
                ("code", "T9.1"),
                ("component", "gestion"),
                ("title", "Audit final"),
                ("planned", "12 500,00"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let page_of_line = location(&res).split('?').next().unwrap().to_string();
    let form = format!("{page_of_line}/entries/new");
    let long = "x".repeat(300);
    let (code, page) = programme
        .post_form_text(
            &form,
            &[
                ("kind", ""),
                ("on_day", "31/02/2026"),
                ("currency", "FCFA"),
                ("amount", "10,50"),
                ("reference", long.as_str()),
            ],
        )
        .await;
    assert_eq!(code, 422);
    assert_eq!(page.matches("class=\"msg-field\"").count(), 4, "{page}");
    for key in [
        "error-required",
        "error-bad-date",
        "budget-error-too-precise",
        "error-too-long",
    ] {
        assert!(page.contains(&fr(key)), "{key}: {page}");
    }
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM budget_entries WHERE demo = 0").await,
        0
    );
    // Corrected: typed in francs, kept in both.
    let res = programme
        .post_form(
            &form,
            &[
                ("kind", "paiement"),
                ("on_day", "03/11/2026"),
                ("currency", "FCFA"),
                ("amount", "655 957"),
                ("reference", "OP 2026-114"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    let (eur, fcfa): (i64, i64) = sqlx::query_as(
        "SELECT eur_cents, fcfa FROM budget_entries WHERE reference = 'OP 2026-114'",
    )
    .fetch_one(&app.state.db)
    .await
    .unwrap();
    assert_eq!((eur, fcfa), (100_000, 655_957));
    let (_, page) = programme.get_text(&page_of_line).await;
    assert!(
        page.contains("OP 2026-114") && page.contains("03/11/2026"),
        "{page}"
    );
    assert!(page.contains("1\u{202f}000,00\u{202f}€"), "{page}");
    // The list shows the line with its execution: 1,000 € paid of 12,500 €, 8 %.
    let (code, page) = programme.get_text("/programme/budget").await;
    assert_eq!(code, 200);
    assert!(
        page.contains("Audit final") && page.contains("8,0\u{a0}%"),
        "{page}"
    );
}

/// The sheets of an exported or hand-made workbook, as the import reads them.
fn headings(keys: &[&str]) -> Vec<String> {
    keys.iter().map(|k| fr_raw(k)).collect()
}

#[tokio::test]
async fn the_report_exported_and_imported_into_a_fresh_database_gives_the_same_totals() {
    let app = TestApp::spawn().await;
    // The demo's budget (lines tied to activities) and the lines above.
    parsec::programme::demo::seed(&app.state).await.unwrap();
    seed(&app).await;
    let mut programme = app.login("programme").await;
    let res = programme.get("/programme/budget.xlsx").await;
    assert_eq!(res.status(), 200);
    let bytes = res.bytes().await.unwrap().to_vec();
    assert!(bytes.starts_with(b"PK"), "a workbook is a zip");
    // The report's shape: headings, lines by component with subtotals, the total; the entries.
    let sheets = parsec::xlsx::read(&bytes).unwrap();
    assert_eq!(sheets.len(), 2);
    let texts = |r: &parsec::xlsx::Row| {
        r.cells
            .iter()
            .map(|c| c.text().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(texts(&sheets[0].rows[0]), headings(budget::LINE_COLUMNS));
    assert_eq!(texts(&sheets[1].rows[0]), headings(budget::ENTRY_COLUMNS));
    let subtotal = sheets[0]
        .rows
        .iter()
        .map(texts)
        .find(|r| r[0].starts_with("Sous-total") && r[0].contains("Sécurité"))
        .unwrap();
    let e = budget::execution(&app.state, Period::default())
        .await
        .unwrap();
    assert_eq!(
        parsec::programme::money::cell_units(&subtotal[4], 2),
        Ok(e.by_component[0].1.planned_eur),
        "{subtotal:?}"
    );
    let total = texts(sheets[0].rows.last().unwrap());
    assert_eq!(total[0], fr_raw("budget-total"));

    // A fresh database knows the activities the lines name (another page's records).
    let fresh = TestApp::spawn_empty().await;
    // id, code, title, phase, component, planned start and end, status.
    type Activity = (
        String,
        String,
        String,
        String,
        String,
        String,
        String,
        String,
    );
    let named: Vec<Activity> = sqlx::query_as(
        "SELECT id, code, title, phase, component, planned_start, planned_end, status
             FROM programme_activities WHERE id IN (SELECT activity_id FROM budget_lines)",
    )
    .fetch_all(&app.state.db)
    .await
    .unwrap();
    for (id, code, title, phase, component, start, end, status) in named {
        sqlx::query(
            "INSERT INTO programme_activities (id, code, title, phase, component, planned_start,
             planned_end, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(id)
        .bind(code)
        .bind(title)
        .bind(phase)
        .bind(component)
        .bind(start)
        .bind(end)
        .bind(status)
        .execute(&fresh.state.db)
        .await
        .unwrap();
    }
    let done = budget::import_xlsx(&fresh.state, &actor(), bytes.clone())
        .await
        .unwrap();
    let entries = count(&app, "SELECT COUNT(*) FROM budget_entries").await as usize;
    let lines = count(&app, "SELECT COUNT(*) FROM budget_lines").await as usize;
    assert_eq!(
        (done.lines_created, done.entries_added, done.entries_known),
        (lines, entries, 0)
    );
    let before = budget::execution(&app.state, Period::default())
        .await
        .unwrap();
    let after = budget::execution(&fresh.state, Period::default())
        .await
        .unwrap();
    assert_eq!(before, after);
    let shape = |ls: Vec<budget::Line>| {
        ls.into_iter()
            .map(|l| (l.code, l.component, l.title, l.activity_code, l.totals))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        shape(budget::lines(&app.state, Period::default()).await.unwrap()),
        shape(
            budget::lines(&fresh.state, Period::default())
                .await
                .unwrap()
        )
    );
    // Imported twice, nothing is added.
    let again = budget::import_xlsx(&fresh.state, &actor(), bytes)
        .await
        .unwrap();
    assert_eq!(
        (
            again.lines_created,
            again.lines_updated,
            again.entries_added,
            again.entries_known
        ),
        (0, 0, 0, entries)
    );
    assert_eq!(
        budget::execution(&fresh.state, Period::default())
            .await
            .unwrap(),
        after
    );
}

/// A workbook in the report's shape, with the rows given (text cells; numbers where they
/// parse, as a person's spreadsheet would hold them).
fn workbook(lines: &[&[&str]], entries: &[&[&str]]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    for (name, heads, rows) in [
        ("Lignes", headings(budget::LINE_COLUMNS), lines),
        ("Écritures", headings(budget::ENTRY_COLUMNS), entries),
    ] {
        let sheet = book.add_worksheet();
        sheet.set_name(name).unwrap();
        for (col, h) in heads.iter().enumerate() {
            sheet.write_string(0, col as u16, h).unwrap();
        }
        for (r, row) in rows.iter().enumerate() {
            for (col, v) in row.iter().enumerate() {
                let (r, col) = (r as u32 + 1, col as u16);
                match v.parse::<f64>() {
                    Ok(n) if !v.contains('.') || col >= 4 => {
                        sheet.write_number(r, col, n).unwrap();
                    }
                    _ => {
                        sheet.write_string(r, col, *v).unwrap();
                    }
                }
            }
        }
    }
    book.save_to_buffer().unwrap()
}

#[tokio::test]
async fn a_wrong_workbook_is_refused_with_its_lines_named_and_nothing_written() {
    let app = TestApp::spawn().await;
    // Signed in first: a login is written in the audit log too.
    let mut programme = app.login("programme").await;
    let book = workbook(
        &[
            &["Gestion du programme", "T9.1", "Audit", "", "12500"],
            &["Ailleurs", "T9.2", "Évaluation", "", "1000"],
            &["Gestion du programme", "T9.3", "Communication", "", "douze"],
            &["Gestion du programme", "T9.4", "Visibilité", "", "2 000,50"],
        ],
        &[
            &["T9.1", "Audit", "Engagement", "01/10/2026", "1000", ""],
            &["T7.7", "?", "Paiement", "02/10/2026", "10", ""],
            &["T9.4", "Visibilité", "Paiement", "03/10/2026", "100", "1"],
            &["T9.1", "Audit", "Don", "99/99/2026", "", ""],
        ],
    );
    let counts = "SELECT (SELECT COUNT(*) FROM budget_lines) * 1000000
        + (SELECT COUNT(*) FROM budget_entries) * 1000 + (SELECT COUNT(*) FROM audit_log)";
    let before = count(&app, counts).await;
    let refused = budget::import_xlsx(&app.state, &actor(), book.clone()).await;
    let rows = match refused {
        Err(ImportError::Rows(rows)) => rows,
        other => panic!("{other:?}"),
    };
    let problem = |sheet, line, column: &'static str, key| RowProblem {
        sheet,
        line,
        column: Some(column),
        key,
    };
    assert_eq!(
        rows,
        vec![
            problem(
                ImportSheet::Lines,
                3,
                "budget-col-component",
                "budget-import-bad-component"
            ),
            problem(
                ImportSheet::Lines,
                4,
                "budget-col-planned-eur",
                "error-not-a-number"
            ),
            problem(
                ImportSheet::Entries,
                3,
                "budget-col-code",
                "budget-import-unknown-line"
            ),
            problem(
                ImportSheet::Entries,
                4,
                "budget-col-fcfa",
                "budget-import-parity"
            ),
            problem(
                ImportSheet::Entries,
                5,
                "budget-col-kind",
                "budget-import-bad-kind"
            ),
            problem(ImportSheet::Entries, 5, "budget-col-day", "error-bad-date"),
            problem(
                ImportSheet::Entries,
                5,
                "budget-col-eur",
                "budget-import-no-amount"
            ),
        ]
    );
    assert_eq!(count(&app, counts).await, before, "nothing written");

    // Through the page: each wrong cell said in French, by its sheet, line and column.
    let res = programme
        .post_multipart("/programme/budget/import", &[], &book, true)
        .await;
    assert_eq!(res.status(), 422);
    let page = res.text().await.unwrap();
    let said = html(
        &fr_raw("budget-import-cell")
            .replace("{ $sheet }", &fr_raw("budget-sheet-lines"))
            .replace("{ $line }", "3")
            .replace("{ $column }", &fr_raw("budget-col-component"))
            .replace("{ $why }", &fr_raw("budget-import-bad-component")),
    );
    assert!(page.contains(&said), "{said} in {page}");
    assert!(page.contains(&fr("budget-import-parity")), "{page}");
    assert_eq!(page.matches("<li>").count(), 7, "{page}");
    // What is no workbook at all.
    let res = programme
        .post_multipart("/programme/budget/import", &[], b"code;ligne\n1;2\n", true)
        .await;
    assert_eq!(res.status(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains(&fr("budget-import-unreadable"))
    );
    assert_eq!(count(&app, counts).await, before, "nothing written");

    // Corrected, it goes in whole: four lines, two entries (one in FCFA only).
    let good = workbook(
        &[
            &["Gestion du programme", "T9.1", "Audit", "", "12500"],
            &["gestion", "T9.2", "Évaluation", "", "1000"],
            &["Sous-total : Gestion du programme", "", "", "", "15500.5"],
            &["Gestion du programme", "T9.4", "Visibilité", "", "2 000,50"],
        ],
        &[
            &["T9.1", "Audit", "Engagement", "01/10/2026", "1000", ""],
            &["T9.4", "Visibilité", "paiement", "46000", "", "655957"],
        ],
    );
    let done = budget::import_xlsx(&app.state, &actor(), good)
        .await
        .unwrap();
    assert_eq!((done.lines_created, done.entries_added), (3, 2));
    let (eur, fcfa, on): (i64, i64, String) = sqlx::query_as(
        "SELECT e.eur_cents, e.fcfa, e.on_day FROM budget_entries e
             JOIN budget_lines l ON l.id = e.line_id WHERE l.code = 'T9.4'",
    )
    .fetch_one(&app.state.db)
    .await
    .unwrap();
    assert_eq!((eur, fcfa, on.as_str()), (100_000, 655_957, "2025-12-09"));
}

#[tokio::test]
async fn the_programme_edits_its_budget_and_an_agent_cannot() {
    let app = TestApp::spawn().await;
    let mut programme = app.login("programme").await;
    let res = programme
        .post_form(
            "/programme/budget/lines/new",
            &[
                ("code", "T1.9"),
                ("component", "securite"),
                ("title", "Radios"),
                ("planned", "1000"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let page = location(&res).split('?').next().unwrap().to_string();
    let (code, html) = programme.get_text(&page).await;
    assert_eq!(code, 200);
    assert!(html.contains("Radios") && html.contains("/entries/new"));
    let (code, _) = programme.get_text(&format!("{page}/edit")).await;
    assert_eq!(code, 200);
    let res = programme
        .post_form(
            &format!("{page}/edit"),
            &[
                ("code", "T1.9"),
                ("component", "securite"),
                ("title", "Radios VHF"),
                ("planned", "1 500"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'update' AND entity = 'budget_line'"
        )
        .await,
        1
    );

    let mut agent = app.login("agent.koro").await;
    for path in ["/programme/budget", page.as_str(), "/programme/budget.xlsx"] {
        assert_eq!(agent.get(path).await.status(), 403, "{path}");
    }
    let form = [
        ("code", "T6.6"),
        ("component", "securite"),
        ("title", "Intrus"),
        ("planned", "1"),
    ];
    assert_eq!(
        agent
            .post_form("/programme/budget/lines/new", &form)
            .await
            .status(),
        403
    );
    assert_eq!(
        agent
            .post_form(&format!("{page}/edit"), &form)
            .await
            .status(),
        403
    );
    assert_eq!(
        agent
            .post_form(
                &format!("{page}/entries/new"),
                &[
                    ("kind", "paiement"),
                    ("on_day", "01/11/2026"),
                    ("amount", "5")
                ],
            )
            .await
            .status(),
        403
    );
    assert_eq!(
        agent
            .post_multipart("/programme/budget/import", &[], b"PK", true)
            .await
            .status(),
        403
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM budget_lines WHERE code = 'T6.6'"
        )
        .await,
        0
    );
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM budget_entries").await,
        count(&app, "SELECT COUNT(*) FROM budget_entries WHERE demo = 1").await
    );
}
