import gzip, json, subprocess, os, shutil, collections
rows=[json.loads(l) for l in gzip.open('/work/main/bench/results/2026-12-05-s15-semantic/run2-cases.jsonl.gz','rt')]
B='/work/main/target/release/smallcode'
M={'encode/httpx':'encode+httpx','sharkdp/fd':'sharkdp+fd','junegunn/fzf':'junegunn+fzf','jhy/jsoup':'jhy+jsoup','jqlang/jq':'jqlang+jq','ninja-build/ninja':'ninja-build+ninja','lewis6991/gitsigns.nvim':'lewis6991+gitsigns.nvim','tj/commander.js':'tj+commander.js','sindresorhus/ky':'sindresorhus+ky'}
cases=[l for l in map(json.loads, open('/work/main/bench/retrieval/cases.jsonl'))]
parent={c['commit']:c['parent'] for c in cases}
cnt=collections.Counter()
env=dict(os.environ, XDG_CACHE_HOME='/work/measure/s15/sib/cache')
for r in rows:
    h=[r['results']['walk']['4000']['hits'][i][1] for i in range(len(r['answers']))]
    todo=[]
    for i,a in enumerate(r['answers']):
        if h[i] or r['answer_tokens'][i]>3500: continue
        sib=[r['answers'][j] for j in range(len(h)) if h[j]]
        if sib: todo.append((a,sib))
    if not todo: continue
    d='/work/measure/s15/sib/tree'; shutil.rmtree(d, ignore_errors=True); os.makedirs(d)
    g=f'/work/.mirror/{M[r["repo"]]}/repo'
    if not os.path.isdir(g): g=f'/work/.mirror/{M[r["repo"]]}'
    subprocess.run(f'git --git-dir={g} archive {parent[r["commit"]]} | tar x -C {d}', shell=True, check=True)
    shutil.rmtree('/work/measure/s15/sib/cache', ignore_errors=True)
    for a,sib in todo:
        an=a.split(' ',1)[1]; af=a.split(':')[0]
        rel=set()
        for s in sib:
            sn=s.split(' ',1)[1]
            ce=subprocess.run([B,'graph',d,'callees',sn],capture_output=True,text=True,env=env).stdout
            cr=subprocess.run([B,'graph',d,'callers',sn],capture_output=True,text=True,env=env).stdout
            import re
            def has(out): return re.search(r'\b'+re.escape(an)+r'\b', out) is not None
            if has(ce): rel.add('callee')
            if has(cr): rel.add('caller')
            if s.split(':')[0]==af: rel.add('samefile')
        k='+'.join(sorted(rel)) or 'none'
        cnt[k]+=1
        print(r['repo'], a, '<-', sib, k, flush=True)
print(cnt)
