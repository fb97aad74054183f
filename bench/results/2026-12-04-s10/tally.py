import csv, sys, statistics, math
def wilson(k,n,z=1.96):
    if n==0: return (0,0)
    p=k/n; d=1+z*z/n; c=p+z*z/(2*n); h=z*math.sqrt(p*(1-p)/n+z*z/(4*n*n))
    return (100*(c-h)/d,100*(c+h)/d)
for d in sys.argv[1:]:
    rows = list(csv.DictReader(open(f'{d}/results.csv' if __import__('os').path.exists(f'{d}/results.csv') else f'{d}/results.partial.csv')))
    landed = [r for r in rows if 'applied' in r['note'].split('agent:')[-1] and 'nothing applied' not in r['note']]
    ver = [r for r in landed if '; verified:' in r['note'] or 'verified:' in r['note'].split('agent:')[-1]]
    wrongv = [r for r in ver if r['passed'] != 'true']
    solved = sum(r['passed'] == 'true' for r in rows)
    walls = [int(r['wall_ms'])/1000 for r in rows]
    print(f"{d}: trials {len(rows)}, solved {solved} ({100*solved/max(1,len(rows)):.0f}% [{wilson(solved,len(rows))[0]:.0f}-{wilson(solved,len(rows))[1]:.0f}%]), landed {len(landed)}, verified {len(ver)}, wrong verified {len(wrongv)} {[r['task']+'#'+r['trial'] for r in wrongv]}, other landed wrong {sum(1 for r in landed if r not in ver and r['passed']!='true')}, median wall {statistics.median(walls):.1f} s")
    probe = [r for r in rows if 'every input tried' in r['note']]
    print('  probe mentions in notes:', len(probe))
    langs={}
    for r in rows:
        l=langs.setdefault(r['language'],[0,0]); l[1]+=1; l[0]+= r['passed']=='true'
    print('  by language:', ' '.join(f"{k} {v[0]}/{v[1]}" for k,v in sorted(langs.items())))
    labels={}
    for r in landed:
        lab='verified' if r in ver else ('checked' if 'checked' in r['note'] else 'other')
        x=labels.setdefault(lab,[0,0]); x[0]+=1; x[1]+= r['passed']!='true'
    print('  calibration (landed/wrong):', labels)
