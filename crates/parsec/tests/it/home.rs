//! Each role's home page says what to do today, and the review of a hit says who and where,
//! side by side, in words.

use crate::support::{TestApp, location};

/// The part of a page inside the element with this id, up to the next section.
fn section<'a>(html: &'a str, id: &str) -> &'a str {
    let at = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no {id}"));
    let rest = &html[at..];
    &rest[..rest.find("</section>").unwrap_or(rest.len())]
}

#[tokio::test]
async fn each_role_starts_from_what_waits_for_them() {
    let app = TestApp::spawn().await;
    crate::support::load_watchlist(&app, crate::support::KOUFFA_LIST).await;

    // The agent: a short menu, the day's crossings of the post, a search by document.
    let mut agent = app.login("agent.koro").await;
    let (_, html) = agent.get_text("/").await;
    assert!(html.contains("id=\"document-search\"") && html.contains("name=\"document\""));
    assert!(html.contains("href=\"/border/crossings/new\""));
    for hidden in ["href=\"/units\"", "href=\"/forces\"", "href=\"/geo\""] {
        assert!(!html.contains(hidden), "an agent's menu has no {hidden}");
    }
    assert!(section(&html, "today-crossings").contains("Aucun passage"));
    let res = agent
        .post_form(
            "/border/crossings/new",
            &[
                ("submission", "home-1"),
                ("direction", "entree"),
                ("mode", "pied"),
                ("surname", "Kouffa"),
                ("given_names", "Amadou"),
                ("birth_date", "01/01/1961"),
                ("nationality", "ML"),
                ("document_code", "P"),
                ("document_number", "AB1234567"),
                ("document_country", "MLI"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let (_, html) = agent.get_text("/").await;
    let today = section(&html, "today-crossings");
    assert!(
        today.contains("Kouffa Amadou") && today.contains("AB1234567"),
        "{today}"
    );
    // The search by document number finds it.
    let (status, html) = agent
        .get_text("/border/crossings/find?document=ab 1234567")
        .await;
    assert_eq!(status, 200);
    assert!(
        html.contains("Kouffa") && html.contains("Passages du document"),
        "{html}"
    );
    let (_, html) = agent
        .get_text("/border/crossings/find?document=ZZ999")
        .await;
    assert!(!html.contains("Kouffa"));
    assert_eq!(app.audit_count("find").await, 2, "each search is audited");

    // The commandant: the alert waits, counted in the menu, with who and where.
    let mut cdt = app.login("commandant.koro").await;
    let (_, html) = cdt.get_text("/").await;
    assert!(html.contains("Alertes à revoir (1)"), "the menu counts it");
    let waiting = section(&html, "to-review");
    assert!(
        waiting.contains("Amadou Kouffa")
            && waiting.contains("Poste frontière de Koro")
            && waiting.contains("ALERTE"),
        "{waiting}"
    );
    for id in ["no-response", "under-way", "patrols-due"] {
        section(&html, id);
    }
    let hit = {
        let at = waiting.find("href=\"/screening/hits/").unwrap() + 6;
        waiting[at..].split('"').next().unwrap().to_string()
    };
    // The hit's page: both persons side by side, the reasons in words, two buttons.
    let (_, html) = cdt.get_text(&hit).await;
    let compare = html.split("id=\"compare\"").nth(1).unwrap();
    assert!(
        compare.contains("01/01/1961") && compare.contains("Katiba Macina"),
        "{compare}"
    );
    let why = html.split("id=\"why\"").nth(1).unwrap();
    assert!(
        why.contains("Date de naissance : la même date") && !why.contains("same date"),
        "{why}"
    );
    assert!(html.contains("id=\"confirm\"") && html.contains("id=\"dismiss\""));
    assert!(!html.contains("id=\"save\""));
    // A decision without its reason keeps the page and says what is missing.
    let res = cdt
        .post_form(&hit, &[("decision", "confirme"), ("reason", "")])
        .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("msg-field"));
    let res = cdt
        .post_form(
            &hit,
            &[("decision", "confirme"), ("reason", "Passeport et photo")],
        )
        .await;
    let (_, html) = cdt.get_text(&location(&res)).await;
    assert!(
        html.contains("Alerte confirmée"),
        "the decision is confirmed"
    );
    assert!(!html.contains("Alertes à revoir (1)"));
    // Decided, the page says so and offers no decision.
    let (_, html) = cdt.get_text(&hit).await;
    assert!(html.contains("id=\"decided\"") && !html.contains("id=\"confirm\""));
    assert!(html.contains("Passeport et photo"));

    // The operations centre: the watch, in the order of urgency.
    let mut ops = app.login("operations").await;
    let unit = app.unit_id("Poste frontière de Koro").await;
    let res = ops
        .post_form(
            "/incidents/new",
            &[
                ("submission", "home-2"),
                ("unit", unit.as_str()),
                ("place", "Bankass"),
                ("event", "civil_protection:road_accident"),
                ("occurred_at", "2026-11-28T14:30"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let (_, html) = ops.get_text("/").await;
    let order: Vec<usize> = [
        "no-response",
        "under-way",
        "alerts-today",
        "unavailable-assets",
    ]
    .iter()
    .map(|id| html.find(&format!("id=\"{id}\"")).unwrap())
    .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");
    assert!(section(&html, "no-response").contains("Bankass"));
    assert!(section(&html, "alerts-today").contains("Amadou Kouffa"));
}
