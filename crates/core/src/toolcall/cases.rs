//! Table of realistic replies from small models (135M–14B), each with the call or error it must
//! give and the format it must be read as. Add a row for every new failure seen in the wild.

use super::*;
use serde_json::json;

fn p(name: &'static str, kind: ParamKind, required: bool) -> Param {
    Param {
        name,
        kind,
        required,
        description: "",
    }
}

/// The tool set the cases are written against.
pub(super) fn specs() -> Vec<ToolSpec> {
    use ParamKind::*;
    vec![
        ToolSpec {
            name: "read",
            description: "Read a file.",
            params: vec![
                p("path", String, true),
                p("start", Integer, false),
                p("end", Integer, false),
            ],
        },
        ToolSpec {
            name: "edit",
            description: "Replace text in a file.",
            params: vec![
                p("path", String, true),
                p("old", String, true),
                p("new", String, true),
            ],
        },
        ToolSpec {
            name: "search",
            description: "Search the code.",
            params: vec![
                p("query", String, true),
                p("paths", StringList, false),
                p("regex", Boolean, false),
            ],
        },
        ToolSpec {
            name: "done",
            description: "Finish.",
            params: vec![p("summary", String, false)],
        },
    ]
}

/// What a case must produce.
enum Want {
    /// Exactly these calls (name, args), all from this source.
    Calls(Source, Vec<(&'static str, Value)>),
    /// Plain text.
    Text,
    /// This exact error line.
    Error(&'static str),
}

struct Case {
    what: &'static str,
    content: &'static str,
    reasoning: &'static str,
    native: &'static [(&'static str, &'static str)],
    want: Want,
}

fn one(source: Source, name: &'static str, args: Value) -> Want {
    Want::Calls(source, vec![(name, args)])
}

const fn text(what: &'static str, content: &'static str, want: Want) -> Case {
    Case {
        what,
        content,
        reasoning: "",
        native: &[],
        want,
    }
}

fn cases() -> Vec<Case> {
    use Source::*;
    vec![
        // ---- native calls
        Case {
            what: "native, clean",
            content: "",
            reasoning: "",
            native: &[("read", r#"{"path": "src/main.rs"}"#)],
            want: one(Native, "read", json!({"path": "src/main.rs"})),
        },
        Case {
            what: "native wins over a call in the text",
            content: r#"{"name": "done", "arguments": {}}"#,
            reasoning: "",
            native: &[("edit", r#"{"path": "a.rs", "old": "x", "new": "y"}"#)],
            want: one(Native, "edit", json!({"path": "a.rs", "old": "x", "new": "y"})),
        },
        Case {
            what: "native, double-encoded arguments and a string line number",
            content: "",
            reasoning: "",
            native: &[("read", r#""{\"path\": \"a.rs\", \"start\": \"10\"}""#)],
            want: one(Native, "read", json!({"path": "a.rs", "start": 10})),
        },
        Case {
            what: "native, empty arguments",
            content: "",
            reasoning: "",
            native: &[("done", "")],
            want: one(Native, "done", json!({})),
        },
        Case {
            what: "native, trailing comma and fuzzy name",
            content: "",
            reasoning: "",
            native: &[("Read_File", r#"{"path": "a.rs",}"#)],
            want: one(Native, "read", json!({"path": "a.rs"})),
        },
        Case {
            what: "native, wrong type",
            content: "",
            reasoning: "",
            native: &[("edit", r#"{"path": 42, "old": "a", "new": {"x": 1}}"#)],
            want: Want::Error(r#"edit: field "new": expected string, received {"x":1}"#),
        },
        // ---- plain text
        text("plain answer", "The bug is in `parse`: it never checks the length.", Want::Text),
        text("code with braces is not a call", "```rust\nfn main() { println!(\"{}\", 1); }\n```", Want::Text),
        text("package.json is data, not a call", "```json\n{\"name\": \"my-app\", \"version\": \"1.0.0\"}\n```", Want::Text),
        text("JSON with no call keys", "Result: {\"count\": 3, \"ok\": true}", Want::Text),
        // ---- fenced JSON
        text(
            "135M: prose, fence, single quotes, trailing commas, Python literals",
            "Sure! I will read the file.\n```json\n{'name': 'read', 'arguments': {'path': 'src/lib.rs', 'start': None,},}\n```\nLet me know!",
            one(FencedJson, "read", json!({"path": "src/lib.rs"})),
        ),
        text(
            "fence without a language",
            "```\n{\"name\": \"done\", \"arguments\": {\"summary\": \"fixed\"}}\n```",
            one(FencedJson, "done", json!({"summary": "fixed"})),
        ),
        text(
            "Python True in a fenced call",
            "```python\n{\"name\": \"search\", \"arguments\": {\"query\": \"fn main\", \"regex\": True}}\n```",
            one(FencedJson, "search", json!({"query": "fn main", "regex": true})),
        ),
        text(
            "raw newlines and tabs inside a code string",
            "```json\n{\"name\": \"edit\", \"arguments\": {\"path\": \"a.py\", \"old\": \"def f():\n\treturn 1\", \"new\": \"def f():\n\treturn 2\"}}\n```",
            one(FencedJson, "edit", json!({"path": "a.py", "old": "def f():\n\treturn 1", "new": "def f():\n\treturn 2"})),
        ),
        text(
            "unescaped quotes inside code",
            "```json\n{\"name\": \"edit\", \"arguments\": {\"path\": \"a.py\", \"old\": \"print(\"hi\")\", \"new\": \"print(\"bye\")\"}}\n```",
            one(FencedJson, "edit", json!({"path": "a.py", "old": "print(\"hi\")", "new": "print(\"bye\")"})),
        ),
        text(
            "closing fence inside the code string",
            "```json\n{\"name\": \"edit\", \"arguments\": {\"path\": \"README.md\", \"old\": \"x\", \"new\": \"```sh\nmake\n```\"}}\n```",
            one(FencedJson, "edit", json!({"path": "README.md", "old": "x", "new": "```sh\nmake\n```"})),
        ),
        text(
            "fenced call truncated before the last brace",
            "```json\n{\"name\": \"read\", \"arguments\": {\"path\": \"src/app.ts\"}\n```",
            one(FencedJson, "read", json!({"path": "src/app.ts"})),
        ),
        // ---- bare JSON
        text(
            "bare call, clean",
            r#"{"name": "read", "arguments": {"path": "src/main.rs", "start": 1, "end": 40}}"#,
            one(BareJson, "read", json!({"path": "src/main.rs", "start": 1, "end": 40})),
        ),
        text(
            "bare call after prose, truncated, then more prose",
            "I need to see the file first. {\"name\": \"read\", \"arguments\": {\"path\": \"lib.rs\"}\nAfter that I will fix it.",
            one(BareJson, "read", json!({"path": "lib.rs"})),
        ),
        text(
            "parameters instead of arguments",
            r#"{"name": "read", "parameters": {"path": "a.go"}}"#,
            one(BareJson, "read", json!({"path": "a.go"})),
        ),
        text(
            "tool/args spelling",
            r#"{"tool": "search", "args": {"query": "TODO"}}"#,
            one(BareJson, "search", json!({"query": "TODO"})),
        ),
        text(
            "OpenAI function wrapper with stringified arguments",
            r#"{"type": "function", "function": {"name": "read", "arguments": "{\"path\": \"x.c\"}"}}"#,
            one(BareJson, "read", json!({"path": "x.c"})),
        ),
        text(
            "arguments as a JSON string with single quotes",
            r#"{"name": "read", "arguments": "{'path': 'x.c'}"}"#,
            one(BareJson, "read", json!({"path": "x.c"})),
        ),
        text(
            "array of two calls",
            r#"[{"name": "read", "arguments": {"path": "a.rs"}}, {"name": "read", "arguments": {"path": "b.rs"}}]"#,
            Want::Calls(BareJson, vec![("read", json!({"path": "a.rs"})), ("read", json!({"path": "b.rs"}))]),
        ),
        text(
            "same call repeated (a looping model) is run once",
            "{\"name\": \"done\", \"arguments\": {}}\n{\"name\": \"done\", \"arguments\": {}}",
            one(BareJson, "done", json!({})),
        ),
        text(
            "flat arguments beside the name, with a thought field",
            r#"{"thought": "I should look", "name": "read", "path": "src/x.rs"}"#,
            one(BareJson, "read", json!({"path": "src/x.rs"})),
        ),
        text(
            "keyed by tool name",
            r#"{"search": {"query": "parse_args", "paths": "src"}}"#,
            one(BareJson, "search", json!({"query": "parse_args", "paths": ["src"]})),
        ),
        text(
            "ReAct action/action_input",
            r#"{"action": "search", "action_input": {"query": "main"}}"#,
            one(BareJson, "search", json!({"query": "main"})),
        ),
        text(
            "coercions: string numbers, yes, renamed and unknown keys",
            r#"{"name": "search", "arguments": {"q": "x", "paths": ["a", 2], "regex": "yes", "limit": 5}}"#,
            one(BareJson, "search", json!({"query": "x", "paths": ["a", "2"], "regex": true})),
        ),
        text(
            "edit with old_string/new_string/file_path spellings",
            r#"{"name": "edit", "arguments": {"file_path": "a.rs", "old_string": "a", "new_string": "b"}}"#,
            one(BareJson, "edit", json!({"path": "a.rs", "old": "a", "new": "b"})),
        ),
        text(
            "bare string arguments go to the only required field",
            r#"{"name": "read", "arguments": "src/main.rs"}"#,
            one(BareJson, "read", json!({"path": "src/main.rs"})),
        ),
        text(
            "lines given as a list for a string field",
            r#"{"name": "edit", "arguments": {"path": "a.py", "old": "x = 1", "new": ["x = 2", "y = 3"]}}"#,
            one(BareJson, "edit", json!({"path": "a.py", "old": "x = 1", "new": "x = 2\ny = 3"})),
        ),
        text(
            "think block removed first",
            "<think>Maybe {\"name\": \"done\", \"arguments\": {}}? No, read first.</think>\n{\"name\": \"read\", \"arguments\": {\"path\": \"a.rs\"}}",
            one(BareJson, "read", json!({"path": "a.rs"})),
        ),
        Case {
            what: "everything filed under reasoning",
            content: "",
            reasoning: "I'll read it.\n<tool_call>\n{\"name\": \"read\", \"arguments\": {\"path\": \"z.rs\"}}\n</tool_call>",
            native: &[],
            want: one(ToolCallTag, "read", json!({"path": "z.rs"})),
        },
        Case {
            what: "reasoning is ignored when content has text",
            content: "All done, nothing to change.",
            reasoning: "{\"name\": \"done\", \"arguments\": {}}",
            native: &[],
            want: Want::Text,
        },
        // ---- tags
        text(
            "Hermes tool_call tag",
            "<tool_call>\n{\"name\": \"read\", \"arguments\": {\"path\": \"main.py\"}}\n</tool_call>",
            one(ToolCallTag, "read", json!({"path": "main.py"})),
        ),
        text(
            "tool_call tag with its end tag eaten by the stop sequence",
            "Reading now.\n<tool_call>\n{\"name\": \"read\", \"arguments\": {\"path\": \"main.py\"}}",
            one(ToolCallTag, "read", json!({"path": "main.py"})),
        ),
        text(
            "tool_call tag wrapping a fence",
            "<tool_call>\n```json\n{\"name\": \"done\", \"arguments\": {\"summary\": \"ok\"}}\n```\n</tool_call>",
            one(ToolCallTag, "done", json!({"summary": "ok"})),
        ),
        text(
            "two tool_call tags",
            "<tool_call>{\"name\": \"read\", \"arguments\": {\"path\": \"a\"}}</tool_call>\n<tool_call>{\"name\": \"read\", \"arguments\": {\"path\": \"b\"}}</tool_call>",
            Want::Calls(ToolCallTag, vec![("read", json!({"path": "a"})), ("read", json!({"path": "b"}))]),
        ),
        text(
            "tool_use with JSON and Anthropic's input key",
            "<tool_use>{\"name\": \"search\", \"input\": {\"query\": \"fn new\"}}</tool_use>",
            one(ToolUseTag, "search", json!({"query": "fn new"})),
        ),
        text(
            "tool_use with XML elements",
            "<tool_use>\n<read>\n<path>src/lib.rs</path>\n<start>5</start>\n</read>\n</tool_use>",
            one(ToolUseTag, "read", json!({"path": "src/lib.rs", "start": 5})),
        ),
        text(
            "Qwen XML function call",
            "<tool_call>\n<function=edit>\n<parameter=path>\nsrc/a.rs\n</parameter>\n<parameter=old>\n    let x = 1;\n</parameter>\n<parameter=new>\n    let x = 2;\n</parameter>\n</function>\n</tool_call>",
            one(FunctionXml, "edit", json!({"path": "src/a.rs", "old": "    let x = 1;", "new": "    let x = 2;"})),
        ),
        text(
            "Qwen XML without wrapper, integers as text",
            "<function=read>\n<parameter=path>\nsrc/a.rs\n</parameter>\n<parameter=start>\n10\n</parameter>\n</function>",
            one(FunctionXml, "read", json!({"path": "src/a.rs", "start": 10})),
        ),
        text(
            "Qwen XML list parameter, one per line",
            "<function=search>\n<parameter=query>\nTODO\n</parameter>\n<parameter=paths>\nsrc\ntests\n</parameter>\n</function>",
            one(FunctionXml, "search", json!({"query": "TODO", "paths": ["src", "tests"]})),
        ),
        text(
            "Llama function tag with a JSON body",
            "<function=read>{\"path\": \"a.rs\"}</function>",
            one(FunctionXml, "read", json!({"path": "a.rs"})),
        ),
        text(
            "LM Studio TOOL_REQUEST",
            "[TOOL_REQUEST]\n{\"name\": \"read\", \"arguments\": {\"path\": \"index.js\"}}\n[END_TOOL_REQUEST]",
            one(ToolRequest, "read", json!({"path": "index.js"})),
        ),
        text(
            "TOOL_REQUEST without its end marker",
            "[TOOL_REQUEST]{\"name\": \"done\", \"arguments\": {\"summary\": \"ok\"}}",
            one(ToolRequest, "done", json!({"summary": "ok"})),
        ),
        text(
            "Mistral [TOOL_CALLS] prefix with a list",
            "[TOOL_CALLS][{\"name\": \"search\", \"arguments\": {\"query\": \"unwrap\"}}]",
            one(BareJson, "search", json!({"query": "unwrap"})),
        ),
        text(
            "Llama python_tag prefix",
            "<|python_tag|>{\"name\": \"read\", \"parameters\": {\"path\": \"setup.py\"}}<|eom_id|>",
            one(BareJson, "read", json!({"path": "setup.py"})),
        ),
        text(
            "one closing brace too many",
            "{\"name\": \"read\", \"arguments\": {\"path\": \"a.rs\"}}}",
            one(BareJson, "read", json!({"path": "a.rs"})),
        ),
        // ---- fuzzy names
        text(
            "misspelt tool name",
            r#"{"name": "reed", "arguments": {"path": "a.rs"}}"#,
            one(BareJson, "read", json!({"path": "a.rs"})),
        ),
        text(
            "namespaced and capitalised name",
            r#"{"name": "functions.Search", "arguments": {"query": "x"}}"#,
            one(BareJson, "search", json!({"query": "x"})),
        ),
        // ---- errors
        text(
            "unknown tool",
            r#"{"name": "write_file", "arguments": {"path": "a.rs", "content": "x"}}"#,
            Want::Error(r#"unknown tool "write_file"; tools are: read, edit, search, done"#),
        ),
        text(
            "missing required field",
            r#"{"name": "edit", "arguments": {"path": "a.rs", "new": "y"}}"#,
            Want::Error(r#"edit: field "old": expected string (required), received nothing"#),
        ),
        text(
            "integer that is not one",
            r#"<tool_call>{"name": "read", "arguments": {"path": "a.rs", "start": "the top"}}</tool_call>"#,
            Want::Error(r#"read: field "start": expected integer, received "the top""#),
        ),
        text(
            "truncated inside a string is not guessed",
            "<tool_call>\n{\"name\": \"edit\", \"arguments\": {\"path\": \"a.rs\", \"new\": \"fn main() {\n    let",
            Want::Error("expected one complete JSON object {\"name\": …, \"arguments\": {…}}, received `{\"name\": \"edit\", \"arguments\": {\"path\": \"a.rs\", \"new\": \"fn main() {\n    let`"),
        ),
        text(
            "unreadable fenced call is reported",
            "```json\n{\"name\": \"read\", \"arguments\": {\"path\": \"a.rs\n```",
            Want::Error("expected one complete JSON object {\"name\": …, \"arguments\": {…}}, received `{\"name\": \"read\", \"arguments\": {\"path\": \"a.rs`"),
        ),
        text(
            "empty tool_call tag",
            "<tool_call></tool_call>",
            Want::Error("expected one complete JSON object {\"name\": …, \"arguments\": {…}}, received ``"),
        ),
    ]
}

#[test]
fn case_table() {
    let specs = specs();
    let all = cases();
    assert!(all.len() >= 40, "only {} cases", all.len());
    let mut failures = Vec::new();
    for case in &all {
        let native: Vec<(String, String)> = case
            .native
            .iter()
            .map(|(n, a)| (n.to_string(), a.to_string()))
            .collect();
        let mut stats = RepairStats::default();
        let got = parse(case.content, case.reasoning, &native, &specs, &mut stats);
        let ok = match (&case.want, &got) {
            (Want::Text, Outcome::None) => true,
            (Want::Error(line), Outcome::Invalid(e)) => e.to_string() == *line,
            (Want::Calls(source, want), Outcome::Calls(calls)) => {
                calls.len() == want.len()
                    && calls.iter().zip(want).all(|(c, (name, args))| {
                        c.source == *source
                            && c.name == *name
                            && Value::Object(c.args.clone()) == *args
                    })
            }
            _ => false,
        };
        if !ok {
            failures.push(format!("{}:\n  got {got:?}", case.what));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        all.len(),
        failures.join("\n")
    );
}

#[test]
fn stats_count_repairs() {
    let specs = specs();
    let mut stats = RepairStats::default();
    let reply =
        "```json\n{'name': 'reed', 'arguments': {'path': 'a', 'start': '3', 'junk': 1}}\n```";
    assert!(matches!(
        parse(reply, "", &[], &specs, &mut stats),
        Outcome::Calls(_)
    ));
    // JSON repaired + fuzzy name; "3" → 3 and the dropped key.
    assert_eq!(
        stats,
        RepairStats {
            native: 0,
            from_text: 1,
            json_repaired: 2,
            coerced: 2,
            failed: 0
        }
    );
    parse(
        "{\"name\": \"nope\", \"arguments\": {}}",
        "",
        &[],
        &specs,
        &mut stats,
    );
    assert_eq!(stats.failed, 1);
    let native = [("read".to_string(), "{\"path\": \"a\"}".to_string())];
    parse("", "", &native, &specs, &mut stats);
    assert_eq!((stats.native, stats.json_repaired), (1, 2));
    // Qwen XML carries text by nature: reading "10" as 10 is not a coercion.
    let mut xml = RepairStats::default();
    parse(
        "<function=read><parameter=path>a</parameter><parameter=start>10</parameter></function>",
        "",
        &[],
        &specs,
        &mut xml,
    );
    assert_eq!(
        xml,
        RepairStats {
            from_text: 1,
            ..RepairStats::default()
        }
    );
}

#[test]
fn clean_json_counts_no_repair() {
    let mut stats = RepairStats::default();
    parse(
        r#"{"name": "read", "arguments": {"path": "a"}}"#,
        "",
        &[],
        &specs(),
        &mut stats,
    );
    assert_eq!(
        stats,
        RepairStats {
            from_text: 1,
            ..RepairStats::default()
        }
    );
}

#[test]
fn retry_prompt_carries_the_line() {
    let e = CallError::missing("read", "path", "string");
    assert!(e
        .retry_prompt()
        .contains("read: field \"path\": expected string (required), received nothing"));
}
