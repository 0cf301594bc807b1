//! Screening travellers against watchlists. For now the batch command `parsec screen` on the
//! `namematch` engine; the lists, their imports and the review queue come next.

pub mod batch;
