//! The closed lists of the border capability, as codes stored in the database and labels in
//! the catalogue.

pub use crate::registry::model::Coded;
use crate::registry::model::code_enum;

code_enum!(
    /// Which way a crossing goes.
    Direction, "direction", [
    Entree = "entree",
    Sortie = "sortie",
]);

code_enum!(
    /// How a traveller crosses.
    Mode, "mode", [
    Pied = "pied",
    Voiture = "voiture",
    Camion = "camion",
    Car = "car",
    Moto = "moto",
    Pirogue = "pirogue",
    Autre = "autre",
]);

code_enum!(
    /// What a crossing vehicle is.
    VehicleKind, "vehicle-kind", [
    Voiture = "voiture",
    Camion = "camion",
    Car = "car",
    Moto = "moto",
    Tricycle = "tricycle",
    Pirogue = "pirogue",
    Autre = "autre",
]);

code_enum!(
    /// The screening answer kept with a crossing.
    Screening, "crossing-screening", [
    Aucune = "aucune",
    AVerifier = "a_verifier",
    Alerte = "alerte",
]);
