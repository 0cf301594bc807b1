//! The inspector's view of personal data, from a scripted set of accesses: a person found by a
//! name spelt otherwise or by their document number, with every record that holds them and
//! every access to those records; the reports: accesses per user and day, a user reading far
//! more than the peers, reads outside the unit, exports.

use parsec::audit::Actor;

use crate::support::{TestApp, location};

#[tokio::test]
async fn an_inspector_finds_a_persons_records_and_who_accessed_them() {
    let app = TestApp::spawn().await;
    crate::support::load_watchlist(&app, crate::support::KOUFFA_LIST).await;
    parsec::custody::demo::seed(&app.state).await.unwrap();
    let mut agent = app.login("agent.koro").await;
    let res = agent
        .post_form(
            "/border/crossings/new",
            &[
                ("submission", "insp-1"),
                ("direction", "entree"),
                ("mode", "pied"),
                ("surname", "Kouffa"),
                ("given_names", "Amadou"),
                ("birth_date", "01/01/1961"),
                ("nationality", "ML"),
                ("document_number", "AB1234567"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let crossing = location(&res).split('?').next().unwrap().to_string();
    let crossing_id = crossing
        .trim_start_matches("/border/crossings/")
        .to_string();
    // The commandant reads it 25 times (far more than anyone), and exports the crossings.
    let mut cdt = app.login("commandant.koro").await;
    for _ in 0..25 {
        assert_eq!(cdt.get(&crossing).await.status(), 200);
    }
    assert_eq!(cdt.get("/border/crossings/export.csv").await.status(), 200);
    // The agent reads a custody of another unit (scripted: the scope would refuse it here).
    let bankass: String = sqlx::query_scalar(
        "SELECT c.id FROM custodies c JOIN units u ON u.id = c.unit_id
         WHERE u.name = 'Brigade de Bankass'",
    )
    .fetch_one(&app.state.db)
    .await
    .unwrap();
    let mut tx = parsec::db::begin_write(&app.state.db).await.unwrap();
    parsec::audit::append(
        &mut tx,
        &Actor("agent.koro".into()),
        "read",
        "custody",
        &bankass,
        "",
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();

    let mut insp = app.login("inspecteur").await;
    // By a name spelt otherwise.
    let (status, html) = insp.get_text("/audit/person?name=Amadou+Koufa").await;
    assert_eq!(status, 200);
    let records = html.split("Fiches qui contiennent").nth(1).unwrap();
    let records = records.split("</table>").next().unwrap();
    assert!(records.contains(&crossing_id), "the crossing: {records}");
    assert!(
        records.contains("Alerte de contrôle") || records.contains("screening_hit"),
        "the hit: {records}"
    );
    assert!(
        records.contains("Fiche de liste de surveillance"),
        "the list's entry: {records}"
    );
    let accesses = html.split("Accès à ces fiches").nth(1).unwrap();
    assert!(
        accesses.contains("commandant.koro") && accesses.contains("agent.koro"),
        "{accesses}"
    );
    // By the document number: the crossing, and the searches that named the number.
    let (_, html) = insp.get_text("/audit/person?document=ab1234567").await;
    assert!(html.contains(&crossing_id), "{html}");
    // Nothing asked: said.
    let (_, html) = insp.get_text("/audit/person?name=+").await;
    assert!(!html.contains("Fiches qui contiennent"));
    // The inspector's searches are themselves in the log.
    let inspected: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'inspect'")
            .fetch_one(&app.state.db)
            .await
            .unwrap();
    assert_eq!(inspected, 2);

    // The reports.
    let (status, html) = insp.get_text("/audit/reports").await;
    assert_eq!(status, 200);
    let unusual = html.split("Accès inhabituels").nth(1).unwrap();
    let unusual = unusual.split("</table>").next().unwrap();
    assert!(
        unusual.contains("commandant.koro"),
        "reads far more: {unusual}"
    );
    let agent_row = unusual
        .split("agent.koro")
        .nth(1)
        .expect("read outside the unit");
    assert!(
        agent_row
            .split("</tr>")
            .next()
            .unwrap()
            .contains("<td>1</td>"),
        "{agent_row}"
    );
    let exports = html
        .split("Exports de données personnelles")
        .nth(1)
        .unwrap();
    assert!(
        exports
            .split("</table>")
            .next()
            .unwrap()
            .contains("commandant.koro")
    );
    let per_day = html
        .split("Accès par utilisateur et par jour")
        .nth(1)
        .unwrap();
    assert!(per_day.contains("commandant.koro"));
    // Only the inspector.
    assert_eq!(cdt.get("/audit/person?name=Kouffa").await.status(), 403);
}
