"""Oracle unions of the methods' with-body hits at 1,000 and 4,000 tokens (run2-cases.jsonl.gz):
an answer counts when any of the methods shows its whole body."""
import gzip, json, sys

rows = [json.loads(l) for l in gzip.open(sys.argv[1] if len(sys.argv) > 1 else 'run2-cases.jsonl.gz', 'rt')]
sets = {
    'walk': ['walk'],
    'semantic (s20)': ['walk[s20]'],
    'walk | semantic': ['walk', 'walk[s20]'],
    'walk | semantic | bm25': ['walk', 'walk[s20]', 'bm25'],
    'walk+buffer | semantic': ['walk+buffer', 'walk[s20]'],
}
n = sum(len(r['answers']) for r in rows)
for b in ['1000', '4000']:
    for name, ms in sets.items():
        k = sum(any(r['results'][m][b]['hits'][i][1] for m in ms)
                for r in rows for i in range(len(r['answers'])))
        print(f'{b}\t{name}\t{k}/{n}\t{100 * k / n:.0f}%')
