# Rows of a stopped `smallcode bench` run, rebuilt from its progress log (tokens unknown: 0).
import re, sys, tomllib, pathlib
log, tasks_dir, keep = sys.argv[1], pathlib.Path(sys.argv[2]), set(open(sys.argv[3]).read().split())
print("task,mode,trial,passed,tier,category,language,rounds,tokens_in,tokens_out,cached_tokens,tool_calls,repairs,decompositions,escalations,wall_ms,note")
for line in open(log):
    m = re.match(r'\[bench \d+/\d+\] (\S+) (\S+) #(\d+): (PASS|fail) \(([\d.]+) s\) ?(.*)', line)
    if not m or m[1] not in keep: continue
    t = tomllib.loads((tasks_dir / m[1] / "task.toml").read_text())
    note = m[6].replace('"', "'")
    print(f'{m[1]},{m[2]},{m[3]},{"true" if m[4]=="PASS" else "false"},{t.get("tier",1)},{t.get("category","")},{t.get("language","")},0,0,0,0,0,0,0,0,{int(float(m[5])*1000)},"{note}"')
