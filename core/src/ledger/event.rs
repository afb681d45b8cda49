//! What a ledger row records: the event types, defined once for the server that writes
//! them and the clients that read and filter them.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

macro_rules! event_types {
    ($($(#[$doc:meta])* $variant:ident => $wire:literal,)+) => {
        /// The type of a ledger row. Rows written by a newer server may carry a type
        /// this build does not know: it is kept as [`EventType::Other`] so that reading
        /// and verifying the chain still works (the canonical bytes are the wire text).
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum EventType {
            $($(#[$doc])* $variant,)+
            /// A type this build does not know.
            Other(String),
        }

        impl EventType {
            /// Every type this build knows.
            pub const KNOWN: &'static [EventType] = &[$(EventType::$variant,)+];

            /// The wire text, e.g. `key.rotate`.
            pub fn as_str(&self) -> &str {
                match self {
                    $(EventType::$variant => $wire,)+
                    EventType::Other(text) => text,
                }
            }

            /// A known type by its wire text; `None` for anything else (a server
            /// refuses to store those).
            pub fn known(text: &str) -> Option<EventType> {
                match text {
                    $($wire => Some(EventType::$variant),)+
                    _ => None,
                }
            }
        }
    };
}

event_types! {
    /// `POST /v1/sign`.
    Sign => "sign",
    /// `POST /v1/verify`.
    Verify => "verify",
    /// A managed key was created.
    KeyCreate => "key.create",
    /// A managed key was rotated.
    KeyRotate => "key.rotate",
    /// A managed key's policy (minimum version) changed.
    KeyUpdate => "key.update",
    /// A credential was sealed into the vault.
    VaultSeal => "vault.seal",
    /// A credential was unsealed.
    VaultUnseal => "vault.unseal",
    /// A credential was re-encrypted under a new key.
    VaultRotate => "vault.rotate",
    /// A credential was deleted.
    VaultDelete => "vault.delete",
    /// A vault request was refused (the uniform 403).
    VaultDenied => "vault.denied",
    /// A credential passed its expiry and was purged.
    VaultExpire => "vault.expire",
    /// A TLS rollover was created (certificate minted, bundle delivered).
    RolloverCreate => "rollover.create",
    /// A TLS rollover advanced one stage.
    RolloverTransition => "rollover.transition",
    /// A TLS rollover was rolled back.
    RolloverRollback => "rollover.rollback",
}

impl EventType {
    /// The type of this wire text, known or not.
    pub fn parse(text: &str) -> EventType {
        EventType::known(text).unwrap_or_else(|| EventType::Other(text.to_owned()))
    }
}

impl From<&str> for EventType {
    fn from(text: &str) -> Self {
        EventType::parse(text)
    }
}

impl PartialEq<str> for EventType {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for EventType {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl fmt::Display for EventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for EventType {
    type Err = std::convert::Infallible;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Ok(EventType::parse(text))
    }
}

impl Serialize for EventType {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for EventType {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        Ok(EventType::parse(&text))
    }
}

#[cfg(feature = "schema")]
impl utoipa::PartialSchema for EventType {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        let known: Vec<&str> = EventType::KNOWN.iter().map(EventType::as_str).collect();
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some(format!(
                "The type of a ledger row. Known types: {}. Newer servers may add types.",
                known.join(", ")
            )))
            .examples(["sign", "key.rotate"])
            .into()
    }
}

#[cfg(feature = "schema")]
impl utoipa::ToSchema for EventType {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_types_round_trip_and_unknown_ones_are_kept() {
        for t in EventType::KNOWN {
            let json = serde_json::to_string(t).unwrap();
            assert_eq!(serde_json::from_str::<EventType>(&json).unwrap(), *t);
            assert_eq!(EventType::known(t.as_str()).as_ref(), Some(t));
        }
        let future: EventType = serde_json::from_str("\"policy.change\"").unwrap();
        assert_eq!(future, EventType::Other("policy.change".into()));
        assert_eq!(serde_json::to_string(&future).unwrap(), "\"policy.change\"");
        assert_eq!(EventType::known("policy.change"), None);
    }
}
