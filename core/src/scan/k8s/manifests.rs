//! Reading manifests: YAML (several documents separated by `---`) or JSON (one value,
//! several concatenated, or an array), each document an object or a list of objects
//! (`kind: List`, `kubectl get … -o yaml|json`, rendered Helm charts).
//!
//! Objects are handed out one at a time as the parser reaches them — a list's `items`
//! too, without building the list — so a dump of ten thousand Secrets is scanned in
//! about the memory of one (plus the findings). YAML goes through serde-saphyr (the
//! parser kube uses), JSON through serde_json.

use std::fmt;
use std::io::{BufRead, Read};

use serde::de::{DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use crate::{Error, Result};

/// Hands each document (or list item) to `sink` as a JSON value. Returns the number of
/// values handed out.
pub fn read_manifests<R: BufRead>(mut reader: R, sink: &mut dyn FnMut(Value)) -> Result<u64> {
    let mut count = 0u64;
    let mut counting = |v: Value| {
        count += 1;
        sink(v);
    };
    let first = loop {
        let buf = reader
            .fill_buf()
            .map_err(|e| Error::input("manifests", e.to_string()))?;
        match buf.iter().position(|b| !b.is_ascii_whitespace()) {
            Some(i) => break Some(buf[i]),
            None if buf.is_empty() => break None,
            None => {
                let n = buf.len();
                reader.consume(n);
            }
        }
    };
    match first {
        None => {}
        Some(b'{' | b'[') => read_json(reader, &mut counting)?,
        Some(_) => read_yaml(reader, &mut counting)?,
    }
    Ok(count)
}

fn read_json<R: BufRead>(reader: R, sink: &mut dyn FnMut(Value)) -> Result<()> {
    let mut de = serde_json::Deserializer::from_reader(reader);
    loop {
        DocumentSeed { sink: &mut *sink }
            .deserialize(&mut de)
            .map_err(|e| Error::input("manifests", format!("JSON: {e}")))?;
        if de.end().is_ok() {
            return Ok(());
        }
    }
}

/// Budgets for one YAML document: a `kind: List` of ten thousand objects is one document,
/// far past serde-saphyr's defaults (250 000 nodes) that suit configuration files. Alias
/// and nesting limits stay at their defaults.
fn yaml_options() -> serde_saphyr::Options {
    let mut budget = serde_saphyr::Budget::default();
    budget.max_reader_input_bytes = None;
    budget.max_events = usize::MAX / 2;
    budget.max_nodes = usize::MAX / 2;
    budget.max_total_scalar_bytes = usize::MAX / 2;
    let mut options = serde_saphyr::Options::default();
    options.budget = Some(budget);
    options
}

fn read_yaml<R: BufRead>(mut reader: R, sink: &mut dyn FnMut(Value)) -> Result<()> {
    let mut carry: Option<Vec<u8>> = None;
    let mut index = 0usize;
    loop {
        let mut doc = DocumentReader::new(&mut reader, carry.take());
        let has_content = doc
            .start()
            .map_err(|e| Error::input("manifests", e.to_string()))?;
        if has_content {
            index += 1;
            serde_saphyr::with_deserializer_from_reader_with_options(
                &mut doc,
                yaml_options(),
                |de| DocumentSeed { sink: &mut *sink }.deserialize(de),
            )
            .map_err(|e| Error::input("manifests", format!("YAML document {index}: {e}")))?;
            // The parser may stop before the document's end (trailing comments).
            std::io::copy(&mut doc, &mut std::io::sink())
                .map_err(|e| Error::input("manifests", e.to_string()))?;
        }
        if doc.stream_ended {
            return Ok(());
        }
        carry = doc.next_carry.take();
    }
}

/// One YAML document of a stream: the lines up to the next `---` / `...` marker at the
/// start of a line (YAML allows a marker nowhere else). Directives (`%YAML`) are dropped.
struct DocumentReader<'a, R: BufRead> {
    inner: &'a mut R,
    line: Vec<u8>,
    pos: usize,
    ended: bool,
    stream_ended: bool,
    next_carry: Option<Vec<u8>>,
}

enum Line {
    Marker(Option<Vec<u8>>),
    Text,
    Eof,
}

impl<'a, R: BufRead> DocumentReader<'a, R> {
    fn new(inner: &'a mut R, carry: Option<Vec<u8>>) -> Self {
        DocumentReader {
            inner,
            line: carry.unwrap_or_default(),
            pos: 0,
            ended: false,
            stream_ended: false,
            next_carry: None,
        }
    }

    fn next_line(&mut self) -> std::io::Result<Line> {
        self.line.clear();
        self.pos = 0;
        if self.inner.read_until(b'\n', &mut self.line)? == 0 {
            return Ok(Line::Eof);
        }
        let l = &self.line;
        let marker = (l.starts_with(b"---") || l.starts_with(b"..."))
            && l.get(3).is_none_or(|b| b.is_ascii_whitespace());
        if marker {
            let rest = l.get(4..).unwrap_or_default();
            let rest = (l.starts_with(b"---")
                && rest.iter().any(|b| !b.is_ascii_whitespace())
                && rest.first() != Some(&b'#'))
            .then(|| rest.to_vec());
            return Ok(Line::Marker(rest));
        }
        if l.starts_with(b"%") {
            self.line.clear();
        }
        Ok(Line::Text)
    }

    /// Skip blank and comment lines; false when the document has no content.
    fn start(&mut self) -> std::io::Result<bool> {
        if !self.line.is_empty() {
            return Ok(true);
        }
        loop {
            match self.next_line()? {
                Line::Eof => {
                    self.ended = true;
                    self.stream_ended = true;
                    return Ok(false);
                }
                Line::Marker(rest) => {
                    self.ended = true;
                    self.next_carry = rest;
                    return Ok(false);
                }
                Line::Text => {
                    let content = self
                        .line
                        .iter()
                        .find(|b| !b.is_ascii_whitespace())
                        .is_some_and(|b| *b != b'#');
                    if content {
                        return Ok(true);
                    }
                }
            }
        }
    }
}

impl<R: BufRead> Read for DocumentReader<'_, R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        while self.pos >= self.line.len() {
            if self.ended {
                return Ok(0);
            }
            match self.next_line()? {
                Line::Eof => {
                    self.ended = true;
                    self.stream_ended = true;
                    return Ok(0);
                }
                Line::Marker(rest) => {
                    self.line.clear();
                    self.ended = true;
                    self.next_carry = rest;
                    return Ok(0);
                }
                Line::Text => {}
            }
        }
        let n = out.len().min(self.line.len() - self.pos);
        out[..n].copy_from_slice(&self.line[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

/// One document: an object (handed out whole), a list (its `items` handed out one by
/// one), an array of either, or an empty document.
struct DocumentSeed<'s> {
    sink: &'s mut dyn FnMut(Value),
}

impl<'de> DeserializeSeed<'de> for DocumentSeed<'_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for DocumentSeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a Kubernetes object or list")
    }

    fn visit_unit<E>(self) -> std::result::Result<(), E> {
        Ok(())
    }

    fn visit_none<E>(self) -> std::result::Result<(), E> {
        Ok(())
    }

    fn visit_bool<E>(self, _: bool) -> std::result::Result<(), E> {
        (self.sink)(Value::Null);
        Ok(())
    }

    fn visit_i64<E>(self, _: i64) -> std::result::Result<(), E> {
        (self.sink)(Value::Null);
        Ok(())
    }

    fn visit_u64<E>(self, _: u64) -> std::result::Result<(), E> {
        (self.sink)(Value::Null);
        Ok(())
    }

    fn visit_f64<E>(self, _: f64) -> std::result::Result<(), E> {
        (self.sink)(Value::Null);
        Ok(())
    }

    fn visit_str<E>(self, _: &str) -> std::result::Result<(), E> {
        (self.sink)(Value::Null);
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<(), A::Error> {
        while seq
            .next_element_seed(DocumentSeed {
                sink: &mut *self.sink,
            })?
            .is_some()
        {}
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<(), A::Error> {
        let mut fields = serde_json::Map::new();
        let mut list = false;
        while let Some(key) = map.next_key::<String>()? {
            if key == "items" {
                list = true;
                map.next_value_seed(ItemsSeed {
                    sink: &mut *self.sink,
                })?;
            } else {
                let value: Value = map.next_value()?;
                fields.insert(key, value);
            }
        }
        if !list {
            (self.sink)(Value::Object(fields));
        }
        Ok(())
    }
}

/// A list's `items`: each one handed out as it is parsed.
struct ItemsSeed<'s> {
    sink: &'s mut dyn FnMut(Value),
}

impl<'de> DeserializeSeed<'de> for ItemsSeed<'_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_seq(DocumentSeed { sink: self.sink })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        let n = read_manifests(text.as_bytes(), &mut |v: Value| {
            out.push(
                v.get("kind")
                    .and_then(Value::as_str)
                    .unwrap_or("-")
                    .to_owned(),
            );
        })
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(n as usize, out.len());
        out
    }

    #[test]
    fn yaml_streams_lists_and_json() {
        let yaml = "# rendered\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n# empty\n---\napiVersion: v1\nitems:\n- apiVersion: v1\n  kind: Secret\n  metadata: {name: b}\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: c}\n  data:\n    text: |\n      ---\n      not a marker: indented\nkind: List\nmetadata: {resourceVersion: \"\"}\n...\n--- {apiVersion: v1, kind: Service, metadata: {name: d}}\n";
        assert_eq!(kinds(yaml), ["ConfigMap", "Secret", "ConfigMap", "Service"]);
        let json = r#"{"apiVersion":"v1","kind":"List","items":[{"kind":"Secret"},{"kind":"Ingress"}]} {"kind":"ConfigMap"}"#;
        assert_eq!(kinds(json), ["Secret", "Ingress", "ConfigMap"]);
        assert_eq!(kinds(r#"[{"kind":"Secret"}]"#), ["Secret"]);
        assert!(kinds("\n\n# nothing\n").is_empty());
        assert!(read_manifests("kind: [unclosed\n".as_bytes(), &mut |_| {}).is_err());
    }
}
