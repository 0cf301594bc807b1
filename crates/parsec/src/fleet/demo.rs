//! The demo fleet's year (only `parsec demo` calls it): the example plans, a year of meter
//! readings, the preventive work orders done as the plans fell due (the last ones of a few
//! assets left overdue), corrective work orders with their time in repair, waiting for parts
//! or for budget, labour, parts from a small catalogue, fuel with two suspicious fills, and an
//! open work order for each asset the registry shows in maintenance. Every record says it is
//! demonstration data. Drawn by a fixed generator: the same demo every time.

use time::{Date, Duration, OffsetDateTime, Time};

use super::parts::{self, Movement, NewPart};
use super::plans;
use crate::app::AppState;
use crate::audit::Actor;
use crate::border::demo::Draw;
use crate::db::{self, Tx};
use crate::error::{AppError, AppResult};

const DEMO: &str = "Données de démonstration";
const MECHANICS: &[&str] = &["Adj. Coulibaly", "Sgt Traoré", "Cpl Diarra", "Sgt Kanté"];
const DEFECTS: &[&str] = &[
    "Fuite d'huile moteur",
    "Démarreur HS",
    "Pneu éclaté, jante voilée",
    "Surchauffe moteur",
    "Batterie et alternateur",
    "Amortisseurs avant",
    "Embrayage qui patine",
    "Circuit de refroidissement colmaté (eau limoneuse)",
];

/// The demo catalogue: reference, name, models, unit, reorder threshold, stock at the start.
const PARTS: &[(&str, &str, &str, &str, f64, f64)] = &[
    (
        "DEMO-FH-LC",
        "Filtre à huile 4×4",
        "Land Cruiser, Hilux",
        "pièce",
        10.0,
        40.0,
    ),
    (
        "DEMO-FG-LC",
        "Filtre à gazole 4×4",
        "Land Cruiser, Hilux",
        "pièce",
        6.0,
        20.0,
    ),
    (
        "DEMO-HM-15W40",
        "Huile moteur 15W40",
        "tous diesel",
        "litre",
        60.0,
        400.0,
    ),
    (
        "DEMO-PLQ-LC",
        "Plaquettes de frein avant",
        "Land Cruiser",
        "jeu",
        4.0,
        6.0,
    ),
    (
        "DEMO-TURB-HB",
        "Turbine de pompe à eau hors-bord",
        "hors-bord 90-115 ch",
        "pièce",
        4.0,
        6.0,
    ),
    (
        "DEMO-HE-HB",
        "Huile d'embase",
        "hors-bord",
        "litre",
        5.0,
        12.0,
    ),
    (
        "DEMO-FH-GE",
        "Filtre à huile groupe électrogène",
        "SDMO 10-60 kVA",
        "pièce",
        4.0,
        12.0,
    ),
    (
        "DEMO-BAT-12V",
        "Batterie 12 V 100 Ah",
        "tous",
        "pièce",
        2.0,
        3.0,
    ),
];

/// Use per day and fuel per unit of use, by kind.
fn usage(kind: &str) -> Option<(f64, f64)> {
    match kind {
        "vehicle" => Some((90.0, 0.15)),
        "ambulance" => Some((60.0, 0.16)),
        "motorbike" => Some((40.0, 0.035)),
        "boat" => Some((1.2, 20.0)),
        "generator" => Some((9.0, 3.0)),
        "aircraft" => Some((0.35, 0.0)),
        _ => None,
    }
}

fn at(day: Date, hour: u8) -> String {
    let t = Time::from_hms(hour.min(23), 0, 0).unwrap_or(Time::MIDNIGHT);
    db::timestamp(OffsetDateTime::new_utc(day, t))
}

#[derive(sqlx::FromRow)]
struct AssetRow {
    id: String,
    kind: String,
    model: String,
    registration: String,
    status: String,
    odometer_km: Option<f64>,
    engine_hours: Option<f64>,
    flight_hours: Option<f64>,
}

struct Asset {
    id: String,
    kind: String,
    model: String,
    registration: String,
    status: String,
    meter: &'static str,
    now: f64,
    per_day: f64,
    fuel: f64,
}

impl Asset {
    /// The meter on a day of the year, on a straight line to today's value.
    fn on(&self, day: Date, today: Date) -> f64 {
        let back = (today - day).whole_days().max(0) as f64;
        let v = (self.now - self.per_day * back).max(0.0);
        if self.meter == "km" {
            v.round()
        } else {
            (v * 10.0).round() / 10.0
        }
    }
}

pub async fn seed(state: &AppState) -> AppResult<()> {
    let actor = Actor::system("demo");
    plans::import_csv(state, &actor, plans::EXAMPLES, true)
        .await
        .map_err(|e| AppError::Internal(format!("example plans: {e}")))?;
    let today = db::now().date();
    let start = today - Duration::days(365);
    let mut part_ids = Vec::new();
    for (reference, name, models, unit, reorder_at, stock) in PARTS {
        let id = parts::create_part(
            state,
            &actor,
            &NewPart {
                reference: reference.to_string(),
                name: format!("{name} (démo)"),
                models: models.to_string(),
                unit: unit.to_string(),
                reorder_at: *reorder_at,
            },
        )
        .await?;
        let entry = Movement::Entry {
            store: parts::MAIN_STORE.into(),
            quantity: *stock,
        };
        parts::move_stock(state, &actor, &id, &entry, DEMO).await?;
        part_ids.push(id);
    }
    let rows: Vec<AssetRow> = sqlx::query_as(
        "SELECT id, kind, model, registration, status, odometer_km, engine_hours, flight_hours
         FROM assets ORDER BY registration",
    )
    .fetch_all(&state.db)
    .await?;
    let assets: Vec<Asset> = rows
        .into_iter()
        .filter_map(|r| {
            let (meter, now) = match (r.odometer_km, r.engine_hours, r.flight_hours) {
                (Some(v), _, _) => ("km", v),
                (None, Some(v), _) => ("engine_hours", v),
                (None, None, Some(v)) => ("flight_hours", v),
                _ => return None,
            };
            let (typical, fuel) = usage(&r.kind)?;
            Some(Asset {
                per_day: typical.min(now / 400.0),
                id: r.id,
                kind: r.kind,
                model: r.model,
                registration: r.registration,
                status: r.status,
                meter,
                now,
                fuel,
            })
        })
        .collect();
    let all_plans = plans::plans(state).await?;
    sqlx::query("UPDATE maintenance_plans SET starts_on = ?")
        .bind(start.to_string())
        .execute(&state.db)
        .await?;
    let tasks = plans::tasks(state).await?;
    let mut draw = Draw(13);
    let mut tx = db::begin_write(&state.db).await?;
    for (n, a) in assets.iter().enumerate() {
        // Readings every fortnight.
        let mut day = start;
        while day <= today {
            sqlx::query(
                "INSERT INTO meter_readings (id, asset_id, meter, engine, read_on, value, note,
                 recorded_by, recorded_at) VALUES (?, ?, ?, '', ?, ?, ?, 'demo', ?)",
            )
            .bind(db::new_id())
            .bind(&a.id)
            .bind(a.meter)
            .bind(day.to_string())
            .bind(a.on(day, today))
            .bind(DEMO)
            .bind(at(day, 18))
            .execute(&mut *tx)
            .await?;
            day += Duration::days(14);
        }
        // The preventive tasks, done about when due; every fifth asset's last one is late.
        let model = a.model.to_lowercase();
        for plan in all_plans
            .iter()
            .filter(|p| p.applies_to(&a.id, &a.kind, &model))
        {
            for t in tasks.iter().filter(|t| t.plan_id == plan.id) {
                let mut last_day = start;
                // A new asset's first service comes early (an outboard's at 20 h).
                let mut every = match t.first_meter {
                    Some(first) if a.on(start, today) < first => Some(first - a.on(start, today)),
                    _ => t.meter_every,
                };
                loop {
                    let by_time = t.days_every.map(|d| last_day + Duration::days(d));
                    let by_meter = every
                        .filter(|_| a.per_day > 0.0)
                        .map(|e| last_day + Duration::days(((e / a.per_day).ceil() as i64).max(1)));
                    let Some(due) = [by_time, by_meter].into_iter().flatten().min() else {
                        break;
                    };
                    let done = due + Duration::days(draw.below(8) as i64);
                    if done >= today - Duration::days(2)
                        || (n % 5 == 0 && done + Duration::days(60) > today)
                    {
                        break;
                    }
                    let meter = a.on(done, today);
                    let order = work_order(
                        &mut tx,
                        a,
                        "preventif",
                        &t.name,
                        &[
                            ("ouvert", at(done, 7)),
                            ("en_cours", at(done, 8)),
                            ("termine", at(done, 16)),
                        ],
                        Some((meter, meter)),
                        None,
                    )
                    .await?;
                    sqlx::query(
                        "INSERT INTO work_order_tasks (id, work_order_id, task_id) VALUES (?, ?, ?)",
                    )
                    .bind(db::new_id())
                    .bind(&order)
                    .bind(&t.id)
                    .execute(&mut *tx)
                    .await?;
                    labour(&mut tx, &order, done, &mut draw).await?;
                    last_day = done;
                    every = t.meter_every;
                }
            }
        }
        // Breakdowns: none to three in the year, some waiting for parts or budget.
        for _ in 0..draw.below(4) {
            let opened = start + Duration::days(10 + draw.below(330) as i64);
            let mut day = opened;
            let mut events = vec![("ouvert", at(day, 9))];
            day += Duration::days(draw.below(2) as i64);
            events.push(("en_cours", at(day, 14)));
            match draw.below(5) {
                0 | 1 => {
                    day += Duration::days(1 + draw.below(2) as i64);
                    events.push(("attente_pieces", at(day, 10)));
                    day += Duration::days(3 + draw.below(18) as i64);
                    events.push(("en_cours", at(day, 9)));
                }
                2 => {
                    day += Duration::days(1);
                    events.push(("attente_budget", at(day, 10)));
                    day += Duration::days(5 + draw.below(10) as i64);
                    events.push(("en_cours", at(day, 9)));
                }
                _ => {}
            }
            day += Duration::days(1 + draw.below(4) as i64);
            if day >= today {
                continue;
            }
            events.push(("termine", at(day, 17)));
            let defect = DEFECTS
                .get(draw.below(DEFECTS.len()))
                .copied()
                .unwrap_or("Panne");
            let cost = 25_000 + 5_000 * draw.below(60) as i64;
            let order = work_order(
                &mut tx,
                a,
                "correctif",
                defect,
                &events,
                Some((a.on(opened, today), a.on(day, today))),
                Some(cost),
            )
            .await?;
            labour(&mut tx, &order, day, &mut draw).await?;
            if let Some(part) = part_ids.get(draw.below(part_ids.len())) {
                exit(&mut tx, part, &order, 1.0).await?;
            }
        }
        // What the registry shows in maintenance is in the workshop now.
        if a.status == "en_maintenance" {
            let opened = today - Duration::days(2 + draw.below(12) as i64);
            let mut events = vec![("ouvert", at(opened, 9)), ("en_cours", at(opened, 15))];
            if n % 2 == 0 {
                events.push(("attente_pieces", at(opened + Duration::days(1), 10)));
            }
            let defect = DEFECTS
                .get(draw.below(DEFECTS.len()))
                .copied()
                .unwrap_or("Panne");
            work_order(
                &mut tx,
                a,
                "correctif",
                defect,
                &events,
                Some((a.now, a.now)),
                None,
            )
            .await?;
        }
        // Fuel: weekly fills of the week's use, about; two fills of one pick-up far too large.
        if a.fuel > 0.0 {
            let mut day = start + Duration::days(3);
            let mut fills = 0;
            while day < today {
                let used = a.per_day * 7.0 * a.fuel;
                let noise = 0.9 + draw.below(21) as f64 / 100.0;
                let suspicious = a.registration == "GN-4522-MD" && (fills == 20 || fills == 35);
                let litres = (used * noise * if suspicious { 2.2 } else { 1.0 })
                    .round()
                    .max(1.0);
                sqlx::query(
                    "INSERT INTO fuel_issues (id, asset_id, day, litres, meter, source, note,
                     recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'demo', ?)",
                )
                .bind(db::new_id())
                .bind(&a.id)
                .bind(day.to_string())
                .bind(litres)
                .bind(a.on(day, today))
                .bind(if draw.below(4) == 0 {
                    "jerrycan"
                } else {
                    "station"
                })
                .bind(DEMO)
                .bind(at(day, 10))
                .execute(&mut *tx)
                .await?;
                fills += 1;
                day += Duration::days(7);
            }
        }
    }
    tx.commit().await?;
    Ok(())
}

/// A work order with its statuses at their times (the first opens it, a last `termine` closes
/// it); blocking, as a vehicle in the workshop is.
async fn work_order(
    tx: &mut Tx,
    a: &Asset,
    kind: &str,
    defect: &str,
    events: &[(&str, String)],
    meters: Option<(f64, f64)>,
    cost: Option<i64>,
) -> AppResult<String> {
    let id = db::new_id();
    let opened = events.first().map(|(_, t)| t.clone()).unwrap_or_default();
    let last = events.last().map(|(s, t)| (*s, t.clone()));
    let closed = last
        .as_ref()
        .filter(|(s, _)| *s == "termine")
        .map(|(_, t)| t.clone());
    let status = last.map_or("ouvert", |(s, _)| s);
    sqlx::query(
        "INSERT INTO work_orders (id, asset_id, kind, status, blocking, defect, opened_at,
         opened_by, closed_at, closed_by, closing_note, meter_start, meter_end, cost_fcfa)
         VALUES (?, ?, ?, ?, 1, ?, ?, 'demo', ?, ?, ?, ?, ?, ?)",
    )
    .bind(&id)
    .bind(&a.id)
    .bind(kind)
    .bind(status)
    .bind(format!("{defect} ({})", DEMO.to_lowercase()))
    .bind(&opened)
    .bind(&closed)
    .bind(closed.as_ref().map(|_| "demo"))
    .bind(if closed.is_some() { DEMO } else { "" })
    .bind(meters.map(|m| m.0))
    .bind(meters.filter(|_| closed.is_some()).map(|m| m.1))
    .bind(cost.filter(|_| closed.is_some()))
    .execute(&mut **tx)
    .await?;
    for (status, time) in events {
        sqlx::query(
            "INSERT INTO work_order_events (id, work_order_id, status, at, by_user, note)
             VALUES (?, ?, ?, ?, 'demo', ?)",
        )
        .bind(db::new_id())
        .bind(&id)
        .bind(status)
        .bind(time)
        .bind(DEMO)
        .execute(&mut **tx)
        .await?;
    }
    Ok(id)
}

async fn labour(tx: &mut Tx, order: &str, day: Date, draw: &mut Draw) -> AppResult<()> {
    for _ in 0..1 + draw.below(2) {
        let mechanic = MECHANICS
            .get(draw.below(MECHANICS.len()))
            .copied()
            .unwrap_or("");
        sqlx::query(
            "INSERT INTO work_order_labour (id, work_order_id, mechanic, day, hours, recorded_by,
             recorded_at) VALUES (?, ?, ?, ?, ?, 'demo', ?)",
        )
        .bind(db::new_id())
        .bind(order)
        .bind(mechanic)
        .bind(day.to_string())
        .bind(2.0 + draw.below(6) as f64)
        .bind(at(day, 17))
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// A part out of the main store to a work order, when the store still holds it.
async fn exit(tx: &mut Tx, part: &str, order: &str, quantity: f64) -> AppResult<()> {
    let held: f64 = sqlx::query_scalar(
        "SELECT COALESCE(SUM(quantity), 0.0) FROM stock_movements WHERE part_id = ? AND store = ?",
    )
    .bind(part)
    .bind(parts::MAIN_STORE)
    .fetch_one(&mut **tx)
    .await?;
    if held < quantity {
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO stock_movements (id, part_id, store, kind, quantity, work_order_id, note, at,
         by_user) VALUES (?, ?, ?, 'sortie', ?, ?, ?, ?, 'demo')",
    )
    .bind(db::new_id())
    .bind(part)
    .bind(parts::MAIN_STORE)
    .bind(-quantity)
    .bind(order)
    .bind(DEMO)
    .bind(db::now_text())
    .execute(&mut **tx)
    .await?;
    Ok(())
}
