//! The incident taxonomy: ACLED's event types and sub-event types (names as ACLED writes
//! them, with French labels), then the civil-protection events of the region; ACLED's actor
//! categories (`inter` codes); the statuses and the reliability of a source.

/// (type code, ACLED event type, French label, [(sub code, ACLED sub-event type, French label)]).
pub type EventType = (
    &'static str,
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str, &'static str)],
);

pub const EVENT_TYPES: &[EventType] = &[
    (
        "battles",
        "Battles",
        "Affrontements",
        &[
            ("armed_clash", "Armed clash", "Affrontement armé"),
            (
                "government_regains_territory",
                "Government regains territory",
                "Reprise de territoire par l'État",
            ),
            (
                "non_state_overtakes_territory",
                "Non-state actor overtakes territory",
                "Prise de territoire par un acteur non étatique",
            ),
        ],
    ),
    (
        "explosions",
        "Explosions/Remote violence",
        "Explosions / violence à distance",
        &[
            ("chemical_weapon", "Chemical weapon", "Arme chimique"),
            (
                "air_drone_strike",
                "Air/drone strike",
                "Frappe aérienne ou de drone",
            ),
            ("suicide_bomb", "Suicide bomb", "Attentat-suicide"),
            (
                "shelling",
                "Shelling/artillery/missile attack",
                "Tirs d'artillerie ou de roquettes",
            ),
            (
                "ied",
                "Remote explosive/landmine/IED",
                "Engin explosif / mine",
            ),
            ("grenade", "Grenade", "Grenade"),
        ],
    ),
    (
        "violence_civilians",
        "Violence against civilians",
        "Violences contre des civils",
        &[
            ("sexual_violence", "Sexual violence", "Violences sexuelles"),
            ("attack", "Attack", "Attaque"),
            (
                "abduction",
                "Abduction/forced disappearance",
                "Enlèvement / disparition forcée",
            ),
        ],
    ),
    (
        "protests",
        "Protests",
        "Manifestations",
        &[
            (
                "peaceful_protest",
                "Peaceful protest",
                "Manifestation pacifique",
            ),
            (
                "protest_intervention",
                "Protest with intervention",
                "Manifestation dispersée",
            ),
            (
                "excessive_force",
                "Excessive force against protesters",
                "Force excessive contre des manifestants",
            ),
        ],
    ),
    (
        "riots",
        "Riots",
        "Émeutes",
        &[
            (
                "violent_demonstration",
                "Violent demonstration",
                "Manifestation violente",
            ),
            ("mob_violence", "Mob violence", "Violence de foule"),
        ],
    ),
    (
        "strategic",
        "Strategic developments",
        "Développements stratégiques",
        &[
            ("agreement", "Agreement", "Accord"),
            ("arrests", "Arrests", "Arrestations"),
            (
                "change_group",
                "Change to group/activity",
                "Changement de groupe ou d'activité",
            ),
            (
                "disrupted_weapons",
                "Disrupted weapons use",
                "Usage d'armes empêché",
            ),
            (
                "base_established",
                "Headquarters or base established",
                "Base établie",
            ),
            (
                "looting",
                "Looting/property destruction",
                "Pillage / destruction de biens",
            ),
            (
                "transfer_territory",
                "Non-violent transfer of territory",
                "Transfert non violent de territoire",
            ),
            ("other", "Other", "Autre"),
        ],
    ),
    (
        "civil_protection",
        "Civil protection",
        "Protection civile",
        &[
            ("road_accident", "Road accident", "Accident de la route"),
            ("drowning", "Drowning", "Noyade"),
            ("fire", "Fire", "Incendie"),
            ("flood", "Flood", "Inondation"),
            (
                "medical_evacuation",
                "Medical evacuation",
                "Évacuation sanitaire",
            ),
            ("other", "Other", "Autre"),
        ],
    ),
];

/// The French label of a type and of a sub-type, when both are known together.
pub fn labels(event_type: &str, sub: &str) -> Option<(&'static str, &'static str)> {
    let (_, _, type_fr, subs) = EVENT_TYPES.iter().find(|t| t.0 == event_type)?;
    let (_, _, sub_fr) = subs.iter().find(|s| s.0 == sub)?;
    Some((type_fr, sub_fr))
}

/// ACLED's actor categories, by `inter` code.
pub const INTER: &[(i64, &str)] = &[
    (0, "—"),
    (1, "Forces de l'État"),
    (2, "Groupes rebelles"),
    (3, "Milices politiques"),
    (4, "Milices identitaires"),
    (5, "Émeutiers"),
    (6, "Manifestants"),
    (7, "Civils"),
    (8, "Forces extérieures / autres"),
];

/// The limits of an incident's fields, the same for the form and for imported files.
pub const ACTOR_MAX: usize = 120;
pub const PLACE_MAX: usize = 200;
pub const SOURCE_MAX: usize = 200;
pub const NOTES_MAX: usize = 4000;
pub const COUNT_MAX: i64 = 100_000;
/// ACLED's interaction codes run from 0 to 8.
pub const INTER_MAX: i64 = 8;

/// The life of an incident (labels: `incident-status-…` in the catalogue).
pub const STATUSES: &[&str] = &["signale", "confirme", "intervention", "clos"];

/// How far the source can be trusted (labels: `reliability-…`).
pub const RELIABILITY: &[&str] = &[
    "non_evaluee",
    "confirmee",
    "fiable",
    "plausible",
    "douteuse",
];

/// Whether an asset of this kind does the job the incident asks for: an ambulance for a
/// medical evacuation, a boat for a drowning. The ranking puts these first, then the others,
/// each by travel time; any asset that moves suits a security incident (the aircraft
/// observes).
pub fn suited(event_type: &str, sub_event_type: &str, asset_kind: &str) -> bool {
    if event_type != "civil_protection" {
        return true;
    }
    match sub_event_type {
        "medical_evacuation" => asset_kind == "ambulance",
        "road_accident" => matches!(asset_kind, "ambulance" | "vehicle"),
        "drowning" => asset_kind == "boat",
        "fire" => asset_kind == "vehicle",
        "flood" => matches!(asset_kind, "boat" | "vehicle" | "aircraft"),
        _ => asset_kind != "aircraft",
    }
}

/// How an asset moves, for the travel times.
pub fn mode_of(asset_kind: &str) -> Option<routing::Mode> {
    match asset_kind {
        "vehicle" | "motorbike" | "ambulance" => Some(routing::Mode::Vehicle),
        "boat" => Some(routing::Mode::Boat),
        "aircraft" => Some(routing::Mode::Aircraft),
        _ => None,
    }
}
