# Regenerates pg_resolve.tsv from a live PostgreSQL 15: python3 gen_resolve.py pg_resolve.tsv
import subprocess, sys, itertools
from concurrent.futures import ThreadPoolExecutor
ops = ['+','-','*','/','%','^','||','=','<','<>']
ts = ['int2','int4','int8','float4','float8','numeric','text','varchar','bool','date','timestamp','timestamptz','interval','jsonb','unknown']
sqlt = {'int2':'smallint','int4':'integer','int8':'bigint','float4':'real','float8':'double precision','numeric':'numeric','text':'text','varchar':'varchar','bool':'boolean','date':'date','timestamp':'timestamp','timestamptz':'timestamptz','interval':'interval','jsonb':'jsonb'}
def lit(t):
    return "'1'" if t == 'unknown' else 'NULL::' + sqlt[t]
jobs = []
for op in ops:
    for a in ts:
        for b in ts:
            jobs.append((op, a, b, 'select pg_typeof(%s %s %s)' % (lit(a), op, lit(b))))
for op in ['-']:
    for a in ts:
        jobs.append(('u-', a, '', 'select pg_typeof(- %s)' % lit(a)))
def run(j):
    op, a, b, sql = j
    r = subprocess.run(['psql','-h','127.0.0.1','-U','postgres','-At','-v','VERBOSITY=verbose','-c',sql], capture_output=True, text=True)
    if 'ERROR' in r.stderr:
        line = [l for l in r.stderr.splitlines() if l.startswith('ERROR')][0]
        want = 'ERROR ' + line.split()[1].rstrip(':')
    else:
        want = r.stdout.strip()
    return '\t'.join([op, a, b, '=>', want])
with ThreadPoolExecutor(6) as ex:
    out = list(ex.map(run, jobs))
open(sys.argv[1],'w').write('# generated from PostgreSQL 15: pg_typeof(a op b) for NULL::a / \'1\' (unknown) operands\n' + '\n'.join(out) + '\n')
