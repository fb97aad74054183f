//! Conversions between msgpack values (the wire) and JSON values (what the rest of the code and
//! serde speak). Neovim sends Lua tables as msgpack maps with string keys; integer-keyed tables
//! arrive as arrays.

use rmpv::Value;
use serde_json::Value as Json;

/// msgpack → JSON. Binary becomes a lossy UTF-8 string; non-string map keys are stringified.
pub fn to_json(v: &Value) -> Json {
    match v {
        Value::Nil => Json::Null,
        Value::Boolean(b) => Json::Bool(*b),
        Value::Integer(i) => i
            .as_i64()
            .map(Json::from)
            .or_else(|| i.as_u64().map(Json::from))
            .unwrap_or(Json::Null),
        Value::F32(f) => {
            serde_json::Number::from_f64(f64::from(*f)).map_or(Json::Null, Json::Number)
        }
        Value::F64(f) => serde_json::Number::from_f64(*f).map_or(Json::Null, Json::Number),
        Value::String(s) => Json::String(s.as_str().map_or_else(
            || String::from_utf8_lossy(s.as_bytes()).into_owned(),
            str::to_string,
        )),
        Value::Binary(b) => Json::String(String::from_utf8_lossy(b).into_owned()),
        Value::Array(a) => Json::Array(a.iter().map(to_json).collect()),
        Value::Map(m) => Json::Object(
            m.iter()
                .map(|(k, v)| {
                    let key = match k {
                        Value::String(s) => s.as_str().unwrap_or_default().to_string(),
                        other => other.to_string(),
                    };
                    (key, to_json(v))
                })
                .collect(),
        ),
        Value::Ext(_, _) => Json::Null,
    }
}

/// JSON → msgpack. An empty JSON object becomes an empty map (Lua sees `{}`).
pub fn from_json(v: &Json) -> Value {
    match v {
        Json::Null => Value::Nil,
        Json::Bool(b) => Value::Boolean(*b),
        Json::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                Value::F64(n.as_f64().unwrap_or(0.0))
            }
        }
        Json::String(s) => Value::from(s.as_str()),
        Json::Array(a) => Value::Array(a.iter().map(from_json).collect()),
        Json::Object(o) => Value::Map(
            o.iter()
                .map(|(k, v)| (Value::from(k.as_str()), from_json(v)))
                .collect(),
        ),
    }
}

/// Any serialisable value → msgpack (through JSON; the values here are small).
pub fn to_value<T: serde::Serialize>(t: &T) -> Value {
    serde_json::to_value(t)
        .map(|j| from_json(&j))
        .unwrap_or(Value::Nil)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let j = serde_json::json!({"a": [1, -2, 2.5, "x", null, true], "b": {}});
        assert_eq!(to_json(&from_json(&j)), j);
    }
}
