//! Border posts: crossings of people, vehicles and goods, screened on the spot; the reading of
//! travel documents' machine-readable zones (`mrz`); the pages (`web`).

pub mod crossing;
pub mod demo;
pub mod exchange;
pub mod flows;
pub mod forms;
pub mod model;
pub mod mrz;
pub mod retention;
pub mod vehicle;
pub mod web;
