//! Demo incidents: three months of made-up events across the region's cercles, clearly marked
//! as demo data (their source says so), recorded through the same service as the officers'
//! form; some of them dispatched, followed and closed. Drawn by a fixed generator: the same
//! demo every time.

use crate::app::AppState;
use crate::audit::Actor;
use crate::border::demo::Draw;
use crate::error::AppResult;

/// (type:sub-type, weight): road accidents and drownings are the daily work of civil
/// protection; the security events follow the pattern of public reporting on the region.
const EVENTS: &[(&str, u32)] = &[
    ("civil_protection:road_accident", 22),
    ("civil_protection:drowning", 8),
    ("civil_protection:fire", 8),
    ("civil_protection:flood", 3),
    ("civil_protection:medical_evacuation", 10),
    ("battles:armed_clash", 9),
    ("explosions:ied", 6),
    ("violence_civilians:attack", 10),
    ("violence_civilians:abduction", 5),
    ("strategic:looting", 6),
    ("strategic:arrests", 5),
    ("protests:peaceful_protest", 3),
    ("riots:mob_violence", 2),
];

/// Records `count` incidents over the last `days` days; the older ones closed, a share of
/// them with a response sent and completed.
pub async fn seed_incidents(state: &AppState, count: usize, days: i64) -> AppResult<usize> {
    let actor = Actor::system("demo");
    let places: Vec<String> = state
        .gazetteer
        .localities()
        .iter()
        // The eight cercles only: a few places inside the outline are filed under a
        // neighbouring cercle (Macina, Ménaka …) in the data.
        .filter(|l| l.in_region && state.gazetteer.cercles().iter().any(|c| c.name == l.cercle))
        .map(|l| l.id.clone())
        .collect();
    let units: Vec<String> = sqlx::query_scalar(
        "SELECT id FROM units WHERE kind IN ('brigade', 'peloton', 'centre_secours', 'compagnie')
         ORDER BY name",
    )
    .fetch_all(&state.db)
    .await?;
    if places.is_empty() || units.is_empty() {
        return Ok(0);
    }
    let total: u32 = EVENTS.iter().map(|e| e.1).sum();
    let mut draw = Draw(20_261_129);
    let now = crate::db::now();
    let mut made = 0;
    for k in 0..count {
        let mut pick = draw.next() % total;
        let event = EVENTS
            .iter()
            .find(|(_, w)| {
                if pick < *w {
                    true
                } else {
                    pick -= w;
                    false
                }
            })
            .map_or("civil_protection:road_accident", |e| e.0);
        let back_minutes = draw.below(usize::try_from(days * 24 * 60).unwrap_or(1)) as i64;
        let when = now - time::Duration::minutes(back_minutes + 90);
        let security = !event.starts_with("civil_protection");
        let fatal = if security {
            draw.below(6)
        } else {
            draw.below(3)
        };
        let place = places
            .get(draw.below(places.len()))
            .cloned()
            .unwrap_or_default();
        let located = super::locate(state, &place, None, None)?;
        let input = super::IncidentInput {
            submission_id: format!("demo-incident-{k}"),
            occurred_at: super::when_of(crate::db::timestamp(when).get(..16).unwrap_or(""))
                .unwrap_or_default(),
            locality_id: located.locality_id,
            place: located.place,
            lat: located.lat,
            lon: located.lon,
            precision: located.precision,
            cercle: located.cercle,
            event_type: event.split(':').next().unwrap_or("").to_string(),
            sub_event_type: event.split(':').nth(1).unwrap_or("").to_string(),
            actor1: if security {
                "Groupe armé non identifié".into()
            } else {
                String::new()
            },
            inter1: if security { 2 } else { 0 },
            actor2: if security {
                "Civils".into()
            } else {
                String::new()
            },
            inter2: if security { 7 } else { 0 },
            fatalities: fatal as i64,
            injured: draw.below(8) as i64,
            missing: if event.ends_with("abduction") {
                (1 + draw.below(4)) as i64
            } else {
                0
            },
            source: "Données de démonstration (fictives)".into(),
            source_reliability: "non_evaluee".into(),
            notes: "Incident fictif de démonstration.".into(),
            patrol_id: None,
        };
        let unit = units
            .get(draw.below(units.len()))
            .cloned()
            .unwrap_or_default();
        made += 1;
        // Seeded before: the same demo, nothing added.
        if super::by_submission(state, &input.submission_id)
            .await?
            .is_some()
        {
            continue;
        }
        let id = super::create(state, &actor, &unit, &input).await?;
        // The timeline as it would have been written: reported a few minutes after the fact.
        let mut stamps = vec![("signale", when + time::Duration::minutes(5))];
        let recent = back_minutes < 2 * 24 * 60;
        if !recent {
            // One in four older incidents had a response sent and completed.
            if draw.below(4) == 0
                && let Ok(incident) = super::get(state, &crate::accounts::Scope::All, &id).await
                && let Some(first) =
                    super::candidates(state, &crate::accounts::Scope::All, &incident)
                        .await?
                        .into_iter()
                        .find(|c| c.minutes.is_ok())
            {
                let response = super::dispatch(
                    state,
                    &actor,
                    &crate::accounts::Scope::All,
                    &id,
                    &first.responder,
                    "",
                )
                .await?;
                for step in ["engaged", "on_site", "done"] {
                    super::response_step(
                        state,
                        &actor,
                        &crate::accounts::Scope::All,
                        &response,
                        step,
                    )
                    .await?;
                }
                // The steps were stamped now; put them back at the incident's time, with the
                // travel the ranking foresaw give or take, so the response statistics of the
                // demo's situation reports mean something.
                let travel = first.minutes.unwrap_or(60.0);
                let sent = when + time::Duration::minutes(10 + draw.below(30) as i64);
                let engaged = sent + time::Duration::minutes(3 + draw.below(8) as i64);
                let on_site = sent
                    + time::Duration::seconds_f64(
                        travel * 60.0 * (0.8 + draw.below(90) as f64 / 100.0),
                    );
                let done = on_site + time::Duration::minutes(60 + draw.below(180) as i64);
                let mut tx = crate::db::begin_write(&state.db).await?;
                sqlx::query(
                    "UPDATE responses SET dispatched_at = ?, engaged_at = ?, on_site_at = ?,
                            done_at = ? WHERE id = ?",
                )
                .bind(crate::db::timestamp(sent))
                .bind(crate::db::timestamp(engaged))
                .bind(crate::db::timestamp(on_site))
                .bind(crate::db::timestamp(done))
                .bind(&response)
                .execute(&mut *tx)
                .await?;
                crate::audit::append(&mut tx, &actor, "backdate", "response", &response, "demo")
                    .await?;
                tx.commit().await?;
                stamps.extend([
                    ("dispatch", sent),
                    ("engaged", engaged),
                    ("on_site", on_site),
                    ("done", done),
                    ("clos", done + time::Duration::minutes(30)),
                ]);
            } else {
                stamps.push((
                    "clos",
                    when + time::Duration::hours(2 + draw.below(46) as i64),
                ));
            }
            super::set_status(state, &actor, &crate::accounts::Scope::All, &id, "clos", "").await?;
        }
        backdate_timeline(state, &actor, &id, &stamps).await?;
    }
    Ok(made)
}

/// Puts a demo incident's timeline entries at the times they would have had.
async fn backdate_timeline(
    state: &AppState,
    actor: &Actor,
    incident: &str,
    stamps: &[(&str, time::OffsetDateTime)],
) -> AppResult<()> {
    let mut tx = crate::db::begin_write(&state.db).await?;
    for (kind, at) in stamps {
        sqlx::query("UPDATE incident_events SET at = ? WHERE incident_id = ? AND kind = ?")
            .bind(crate::db::timestamp(*at))
            .bind(incident)
            .bind(kind)
            .execute(&mut *tx)
            .await?;
    }
    crate::audit::append(&mut tx, actor, "backdate", "incident", incident, "demo").await?;
    tx.commit().await?;
    Ok(())
}

/// Plans a patrol a week for each brigade over the last `weeks` weeks, through the localities
/// nearest its post, reported done (or, one in eight, not done with the reason); and the next
/// week's patrol, planned.
pub async fn seed_patrols(state: &AppState, weeks: i64) -> AppResult<usize> {
    let actor = Actor::system("demo");
    let units: Vec<(String, String, Option<String>)> = sqlx::query_as(
        "SELECT u.id, u.locality_id,
                (SELECT a.registration FROM assets a WHERE a.unit_id = u.id
                 AND a.kind IN ('vehicle', 'motorbike', 'boat') ORDER BY a.registration LIMIT 1)
         FROM units u WHERE u.kind IN ('brigade', 'peloton') AND u.locality_id IS NOT NULL
         ORDER BY u.name",
    )
    .fetch_all(&state.db)
    .await?;
    let mut draw = Draw(20_261_130);
    let today = crate::db::now().date();
    let mut made = 0;
    for (unit, locality, asset) in &units {
        let stops: Vec<String> = std::iter::once(locality.clone())
            .chain(
                state
                    .gazetteer
                    .neighbours(locality, 6)
                    .into_iter()
                    .map(|(l, _)| l.id.clone()),
            )
            .collect();
        // The last one starts in the coming days: planned, not yet reported.
        for week in 0..=weeks {
            let starts = today - time::Duration::days(7 * (weeks - week))
                + time::Duration::days(1 + draw.below(4) as i64);
            let ends = starts + time::Duration::days(draw.below(2) as i64);
            // Out and back through three of the places around the post.
            let around = stops.len().saturating_sub(1).max(1);
            let a = 1 + draw.below(around);
            // Two different places, when there are two.
            let b = 1 + (a + draw.below(around.saturating_sub(1).max(1))) % around;
            let route: Vec<&str> = [0, a, b, 0]
                .iter()
                .filter_map(|i| stops.get(*i).map(String::as_str))
                .collect();
            let patrol = super::patrols::NewPatrol {
                submission_id: format!("demo-patrol-{unit}-{week}"),
                starts_on: starts,
                ends_on: ends,
                route: route.iter().map(|s| s.to_string()).collect(),
                assets: asset.clone().into_iter().collect(),
            };
            let id = super::patrols::plan(state, &actor, unit, &patrol).await?;
            made += 1;
            if ends >= today {
                continue;
            }
            let done = draw.below(8) != 0;
            let observations = if done {
                "RAS. Patrouille fictive de démonstration."
            } else {
                "Piste impraticable après la pluie (démonstration)."
            };
            // Seeded before: already reported.
            match super::patrols::report(
                state,
                &actor,
                &crate::accounts::Scope::All,
                &id,
                done,
                observations,
            )
            .await
            {
                Ok(()) | Err(crate::error::AppError::NotFound) => {}
                Err(e) => return Err(e),
            }
        }
    }
    Ok(made)
}
