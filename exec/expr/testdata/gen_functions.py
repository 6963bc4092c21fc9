# Regenerates pg_functions.tsv from a live PostgreSQL 15: python3 gen_functions.py pg_functions.tsv
import subprocess, sys
from concurrent.futures import ThreadPoolExecutor
fns1 = ['length','char_length','octet_length','lower','upper','reverse','initcap','btrim','ltrim','rtrim','abs','round','trunc','floor','ceil','ceiling','sqrt','exp','ln','log','sign','md5','ascii','chr','quote_ident','to_timestamp','bit_length','cbrt','concat']
fns2 = ['round','trunc','mod','power','left','right','repeat','substr','position','strpos','starts_with','split_part_x','date_trunc','date_part','extract','date_bin_x','timezone','lpad','btrim','concat_ws']
ts = ['int2','int4','int8','float4','float8','numeric','text','varchar','bool','date','timestamp','timestamptz','interval','jsonb','unknown']
ts2 = ['int4','int8','numeric','float8','text','unknown','date','timestamp','timestamptz','interval']
sqlt = {'int2':'smallint','int4':'integer','int8':'bigint','float4':'real','float8':'double precision','numeric':'numeric','text':'text','varchar':'varchar','bool':'boolean','date':'date','timestamp':'timestamp','timestamptz':'timestamptz','interval':'interval','jsonb':'jsonb'}
def lit(t):
    return "'1'" if t == 'unknown' else 'NULL::' + sqlt[t]
jobs = []
for f in fns1:
    for a in ts:
        jobs.append((f, [a], 'select pg_typeof(%s(%s))' % (f, lit(a))))
for f in fns2:
    if f.endswith('_x'): continue
    for a in ts2:
        for b in ts2:
            if f == 'extract':
                if a != 'unknown': continue
                sql = "select pg_typeof(extract('year' from %s))" % lit(b)
                jobs.append((f, ['unknown', b], sql)); continue
            if f == 'position':
                jobs.append((f, [a, b], 'select pg_typeof(position(%s in %s))' % (lit(b), lit(a)))); continue
            jobs.append((f, [a, b], 'select pg_typeof(%s(%s, %s))' % (f, lit(a), lit(b))))
def run(j):
    f, args, sql = j
    r = subprocess.run(['psql','-h','127.0.0.1','-U','postgres','-At','-v','VERBOSITY=verbose','-c',sql], capture_output=True, text=True)
    if 'ERROR' in r.stderr:
        line = [l for l in r.stderr.splitlines() if l.startswith('ERROR')][0]
        want = 'ERROR ' + line.split()[1].rstrip(':')
    else:
        want = r.stdout.strip()
    return '\t'.join([f, ','.join(args), '=>', want])
with ThreadPoolExecutor(6) as ex:
    out = list(ex.map(run, jobs))
open(sys.argv[1],'w').write('# generated from PostgreSQL 15: pg_typeof(f(args)) for NULL::type / \'1\' (unknown) arguments\n' + '\n'.join(out) + '\n')
