//! The workshop's arithmetic, apart from storage and pages: `due` (when a preventive task is
//! next due), `availability` (fleet availability, downtime by cause, MTBF, MTTR) and `fuel`
//! (consumption and its outliers). Pure: numbers and dates in, numbers out.

pub mod availability;
pub mod due;
pub mod fuel;
