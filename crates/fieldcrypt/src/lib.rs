//! Personal data fields sealed at rest (docs/encryption-design.md). A value is encrypted with
//! XChaCha20-Poly1305 under a column key derived from a data key, with the table, the column,
//! the row's id and the key's version as associated data — so a sealed value copied to another
//! row or column does not open — and padded to a multiple of 16 bytes so that its length does
//! not tell a short name from a long one. It is stored as text (`enc1:<kid>:<base64>`), which
//! the sync change log can copy as it is. A keyed tag (HMAC-SHA-256, cut to 12 bytes) of a
//! normalised value serves exact-match search without the value.
//!
//! Pure: the caller gives the keys and a fresh random nonce for each value.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD_NO_PAD as B64;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use hmac::{Hmac, KeyInit as _, Mac};
use sha2::Sha256;

/// The prefix of a sealed value (its format's version).
pub const PREFIX: &str = "enc1:";
pub const NONCE_LEN: usize = 24;
const PAD: usize = 16;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    #[error("not a sealed value")]
    NotSealed,
    #[error("sealed under key {0}, which this node does not hold")]
    UnknownKey(u32),
    #[error("the value does not open: altered, or moved from another row or column")]
    Forged,
}

/// Where a value lives: it is bound to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place<'a> {
    pub table: &'a str,
    pub column: &'a str,
    pub row: &'a str,
}

impl Place<'_> {
    fn aad(&self, kid: u32) -> Vec<u8> {
        format!("{}|{}|{}|{kid}", self.table, self.column, self.row).into_bytes()
    }
}

/// A data key and its version.
#[derive(Clone)]
pub struct DataKey {
    pub kid: u32,
    secret: [u8; 32],
}

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DataKey({}, …)", self.kid)
    }
}

impl DataKey {
    pub fn new(kid: u32, secret: [u8; 32]) -> DataKey {
        DataKey { kid, secret }
    }

    /// The key's bytes, to wrap it under another key (storage, transport); never to log.
    pub fn secret(&self) -> [u8; 32] {
        self.secret
    }

    /// The key of one use (a column, or the tags of a kind of value): HMAC of the use's name,
    /// so that no two uses share a key.
    fn derived(&self, purpose: &str, name: &str) -> [u8; 32] {
        let mut mac = <Hmac<Sha256>>::new_from_slice(&self.secret)
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        mac.update(purpose.as_bytes());
        mac.update(b"\0");
        mac.update(name.as_bytes());
        mac.finalize().into_bytes().into()
    }

    /// Seals `value` for its place with a fresh random `nonce`.
    pub fn seal(&self, place: Place<'_>, value: &str, nonce: [u8; NONCE_LEN]) -> String {
        let key = self.derived("column", &format!("{}.{}", place.table, place.column));
        let cipher = XChaCha20Poly1305::new(&Key::from(key));
        // The value, a 0x80 end mark, then zeros to the next multiple of 16 bytes.
        let mut msg = value.as_bytes().to_vec();
        msg.push(0x80);
        while !msg.len().is_multiple_of(PAD) {
            msg.push(0);
        }
        let aad = place.aad(self.kid);
        let sealed = cipher
            .encrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: &msg,
                    aad: &aad,
                },
            )
            .unwrap_or_else(|_| unreachable!("encryption of a bounded value cannot fail"));
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        format!("{PREFIX}{}:{}", self.kid, B64.encode(out))
    }

    /// A keyed tag of a value already normalised by the caller (folded name word, document
    /// number in capitals), for exact-match search: equal values have equal tags under one
    /// key; the tag alone does not give the value back. Lower-case hex (12 bytes of the MAC),
    /// a single word for a full-text index.
    pub fn tag(&self, kind: &str, normalised: &str) -> String {
        let key = self.derived("tag", kind);
        let mut mac = <Hmac<Sha256>>::new_from_slice(&key)
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        mac.update(normalised.as_bytes());
        let bytes = mac.finalize().into_bytes();
        bytes[..12].iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// The version of the key a sealed value needs (None: not a sealed value).
pub fn key_of(sealed: &str) -> Option<u32> {
    sealed.strip_prefix(PREFIX)?.split_once(':')?.0.parse().ok()
}

/// Opens a sealed value with the keys this node holds.
pub fn open(keys: &[DataKey], place: Place<'_>, sealed: &str) -> Result<String, Error> {
    let rest = sealed.strip_prefix(PREFIX).ok_or(Error::NotSealed)?;
    let (kid, body) = rest.split_once(':').ok_or(Error::NotSealed)?;
    let kid: u32 = kid.parse().map_err(|_| Error::NotSealed)?;
    let key = keys
        .iter()
        .find(|k| k.kid == kid)
        .ok_or(Error::UnknownKey(kid))?;
    let bytes = B64.decode(body).map_err(|_| Error::NotSealed)?;
    if bytes.len() < NONCE_LEN + 16 {
        return Err(Error::NotSealed);
    }
    let (nonce, sealed) = bytes.split_at(NONCE_LEN);
    let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| Error::NotSealed)?;
    let column = key.derived("column", &format!("{}.{}", place.table, place.column));
    let cipher = XChaCha20Poly1305::new(&Key::from(column));
    let aad = place.aad(kid);
    let mut msg = cipher
        .decrypt(
            &XNonce::from(nonce),
            Payload {
                msg: sealed,
                aad: &aad,
            },
        )
        .map_err(|_| Error::Forged)?;
    // Take the padding off: zeros, then the end mark.
    while msg.last() == Some(&0) {
        msg.pop();
    }
    if msg.pop() != Some(0x80) {
        return Err(Error::Forged);
    }
    String::from_utf8(msg).map_err(|_| Error::Forged)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(kid: u32, byte: u8) -> DataKey {
        DataKey::new(kid, [byte; 32])
    }

    const ROW: Place<'static> = Place {
        table: "crossings",
        column: "surname",
        row: "0193-a",
    };

    #[test]
    fn a_sealed_value_opens_in_its_place_and_shows_no_name() {
        let k = key(1, 7);
        let sealed = k.seal(ROW, "Kouffa", [3; NONCE_LEN]);
        assert!(sealed.starts_with("enc1:1:"), "{sealed}");
        assert!(!sealed.to_lowercase().contains("kouffa"));
        assert_eq!(key_of(&sealed), Some(1));
        assert_eq!(open(&[k], ROW, &sealed), Ok("Kouffa".to_string()));
    }

    #[test]
    fn moved_altered_or_under_another_key_it_does_not_open() {
        let k = key(1, 7);
        let sealed = k.seal(ROW, "Kouffa", [3; NONCE_LEN]);
        let other_row = Place {
            row: "0193-b",
            ..ROW
        };
        let other_column = Place {
            column: "given_names",
            ..ROW
        };
        assert_eq!(
            open(std::slice::from_ref(&k), other_row, &sealed),
            Err(Error::Forged)
        );
        assert_eq!(
            open(std::slice::from_ref(&k), other_column, &sealed),
            Err(Error::Forged)
        );
        let mut bytes = sealed.clone().into_bytes();
        let last = bytes.len() - 2;
        bytes[last] = if bytes[last] == b'A' { b'B' } else { b'A' };
        let altered = String::from_utf8(bytes).unwrap();
        assert_eq!(
            open(std::slice::from_ref(&k), ROW, &altered),
            Err(Error::Forged)
        );
        // The same version number with another secret: forged; an unknown version: said.
        assert_eq!(open(&[key(1, 8)], ROW, &sealed), Err(Error::Forged));
        assert_eq!(open(&[key(2, 7)], ROW, &sealed), Err(Error::UnknownKey(1)));
        assert_eq!(open(&[k], ROW, "Kouffa"), Err(Error::NotSealed));
    }

    #[test]
    fn lengths_are_hidden_within_sixteen_bytes_and_nonces_make_each_seal_unique() {
        let k = key(1, 7);
        let short = k.seal(ROW, "Ba", [1; NONCE_LEN]);
        let longer = k.seal(ROW, "Kouffa Hamadoun", [1; NONCE_LEN]);
        assert_eq!(short.len(), longer.len());
        assert_ne!(k.seal(ROW, "Ba", [2; NONCE_LEN]), short);
        // Values with their own trailing zeros and marks survive the padding.
        for v in [
            "",
            "a\u{0}",
            "Ould Sidi Mohamed Ag Ahmadou el Hadj",
            "عبد الله",
        ] {
            let sealed = k.seal(ROW, v, [9; NONCE_LEN]);
            assert_eq!(
                open(std::slice::from_ref(&k), ROW, &sealed).as_deref(),
                Ok(v)
            );
        }
    }

    #[test]
    fn tags_are_equal_for_equal_values_and_differ_by_kind_and_key() {
        let k = key(1, 7);
        assert_eq!(
            k.tag("document", "AB1234567"),
            k.tag("document", "AB1234567")
        );
        assert_ne!(
            k.tag("document", "AB1234567"),
            k.tag("document", "AB1234568")
        );
        assert_ne!(k.tag("document", "AB1234567"), k.tag("name", "AB1234567"));
        assert_ne!(
            k.tag("document", "AB1234567"),
            key(2, 9).tag("document", "AB1234567")
        );
        assert_eq!(k.tag("name", "kufa").len(), 24);
    }
}
