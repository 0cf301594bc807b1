//! Border posts: crossings of people, vehicles and goods. For now, the reading of travel
//! documents' machine-readable zones (`mrz`), which the crossing form will use.

pub mod mrz;
