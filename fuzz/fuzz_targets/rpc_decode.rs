//! RPC request decoding (src/rpc/protocol.rs `decode` into every typed parameter struct) on
//! random msgpack: never panics; a refusal names the method.
#![no_main]

use smallcode::rpc::protocol::{self, decode, DecodeError};

fn check<T: serde::de::DeserializeOwned>(method: &str, args: &[rmpv::Value]) -> Option<T> {
    match decode::<T>(method, args) {
        Ok(v) => Some(v),
        Err(e) => {
            let text = e.to_string();
            if !matches!(e, DecodeError::Unknown(_)) {
                assert!(text.starts_with(method), "{text:?} does not name {method}");
            }
            None
        }
    }
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let mut rd = data;
    let Ok(value) = rmpv::decode::read_value(&mut rd) else {
        return;
    };
    // Lua sends one map; a msgpack array stands for the whole argument list.
    let args = match &value {
        rmpv::Value::Array(items) => items.clone(),
        _ => vec![value],
    };
    let _ = protocol::peek_u64(&args, "chat");
    check::<protocol::Hello>("hello", &args);
    if let Some(c) = check::<protocol::ChatSend>("chat_send", &args) {
        let _ = c.into_parts();
    }
    if let Some(a) = check::<protocol::AgentRun>("agent_run", &args) {
        let _ = a.into_parts();
    }
    check::<protocol::ChatStop>("chat_stop", &args);
    check::<protocol::ReviewCheck>("review_check", &args);
    check::<protocol::GraphQuery>("graph_query", &args);
    check::<protocol::GraphStart>("graph_start", &args);
    check::<protocol::GraphBuffer>("graph_buffer", &args);
    check::<protocol::GraphSaved>("graph_saved", &args);
    check::<protocol::GraphClosed>("graph_closed", &args);
    check::<protocol::PermissionAnswer>("permission_answer", &args);
});
