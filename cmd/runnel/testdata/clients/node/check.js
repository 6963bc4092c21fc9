// node-postgres (pg) against a running Runnel: every check compares real answers and exits
// non-zero on the first mismatch. Usage: node check.js HOST PORT
'use strict';

const assert = require('node:assert/strict');
const { Client } = require('pg');

const [host, port] = process.argv.slice(2);

async function check(what, fn) {
  try {
    await fn();
    console.log(`ok   ${what}`);
  } catch (e) {
    console.log(`FAIL ${what}: ${e.stack || e}`);
    process.exit(1);
  }
}

async function expectError(client, sql, params, code) {
  try {
    await client.query(sql, params);
  } catch (e) {
    assert.equal(e.code, code, `${sql}: ${e.message}`);
    return e;
  }
  throw new Error(`${sql}: no error, want ${code}`);
}

async function main() {
  const client = new Client({ host, port: Number(port), user: 'runnel', database: 'runnel', application_name: 'node-check' });
  await client.connect();

  await check('startup parameters', async () => {
    const r = await client.query('SHOW application_name');
    assert.deepEqual(r.rows, [{ application_name: 'node-check' }]);
  });

  await check('DDL and a query without parameters (simple protocol)', async () => {
    await client.query(`CREATE TABLE orders (id bigint PRIMARY KEY, customer text NOT NULL, amount numeric(10,2),
      qty int, ratio double precision, paid boolean, day date, created_at timestamptz, note text)`);
    await client.query(`CREATE MATERIALIZED VIEW by_customer AS
      SELECT customer, count(*) AS n, sum(amount) AS total FROM orders GROUP BY customer`);
    const r = await client.query('SELECT count(*) AS n FROM orders');
    assert.equal(r.command, 'SELECT');
    assert.deepEqual(r.rows, [{ n: '0' }]); // bigint comes back as a string in pg
  });

  await check('parameters of several types (extended protocol)', async () => {
    const rows = [
      [1, 'alice', '10.50', 3, 0.25, true, '2024-02-29', new Date('2024-03-01T10:30:15.250Z'), "it's \"quoted\""],
      [2, 'bob', '20.00', 1, 1.5, false, '2024-01-01', new Date('2024-01-01T00:00:00Z'), null],
      [3, 'alice', '5.25', 7, -2, null, null, null, 'ünïcödé ✓'],
    ];
    for (const row of rows) {
      const r = await client.query('INSERT INTO orders VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)', row);
      assert.equal(r.command, 'INSERT');
      assert.equal(r.rowCount, 1);
    }
    const r = await client.query('SELECT * FROM orders WHERE customer = $1 AND amount > $2 ORDER BY id', ['alice', '1.5']);
    assert.equal(r.rows.length, 2);
    const [a, c] = r.rows;
    assert.equal(a.id, '1');
    assert.equal(a.amount, '10.50');
    assert.equal(a.qty, 3);
    assert.equal(a.ratio, 0.25);
    assert.equal(a.paid, true);
    assert.equal(a.created_at.toISOString(), '2024-03-01T10:30:15.250Z');
    assert.equal(a.day.getFullYear(), 2024); // pg parses date as local midnight
    assert.equal(a.day.getMonth(), 1);
    assert.equal(a.day.getDate(), 29);
    assert.equal(a.note, "it's \"quoted\"");
    assert.equal(c.paid, null);
    assert.equal(c.ratio, -2);
    assert.equal(c.note, 'ünïcödé ✓');
    assert.deepEqual(r.fields.map((f) => f.dataTypeID), [20, 25, 1700, 23, 701, 16, 1082, 1184, 25]);
  });

  await check('expressions over typed parameters', async () => {
    const r = await client.query('SELECT $1::int4 + 1 AS i, $2::text || \'!\' AS s, $3::numeric * 2 AS n, $4::bool AS b', [41, 'hi', '1.25', 'true']);
    assert.deepEqual(r.rows, [{ i: 42, s: 'hi!', n: '2.50', b: true }]);
  });

  await check('a named prepared statement, executed twice', async () => {
    const byCustomer = { name: 'by-customer', text: 'SELECT n, total FROM by_customer WHERE customer = $1' };
    let r = await client.query({ ...byCustomer, values: ['alice'] });
    assert.deepEqual(r.rows, [{ n: '2', total: '15.75' }]);
    r = await client.query({ ...byCustomer, values: ['bob'] });
    assert.deepEqual(r.rows, [{ n: '1', total: '20.00' }]);
    // The view follows a write made between the two executions.
    await client.query('UPDATE orders SET amount = amount + 1 WHERE id = $1', [2]);
    r = await client.query({ ...byCustomer, values: ['bob'] });
    assert.deepEqual(r.rows, [{ n: '1', total: '21.00' }]);
  });

  await check('rows as arrays', async () => {
    const r = await client.query({ text: 'SELECT id, customer FROM orders ORDER BY id DESC', rowMode: 'array' });
    assert.deepEqual(r.rows, [['3', 'alice'], ['2', 'bob'], ['1', 'alice']]);
  });

  await check('a transaction with a cursor', async () => {
    await client.query('BEGIN');
    await client.query('DECLARE c CURSOR FOR SELECT id FROM orders ORDER BY id');
    let r = await client.query('FETCH 2 FROM c');
    assert.equal(r.command, 'FETCH');
    assert.deepEqual(r.rows.map((x) => x.id), ['1', '2']);
    r = await client.query('FETCH ALL FROM c');
    assert.deepEqual(r.rows.map((x) => x.id), ['3']);
    await client.query('COMMIT');
  });

  await check('errors with their SQLSTATE and position', async () => {
    let e = await expectError(client, 'SELECT nope FROM orders', [], '42703');
    assert.equal(e.position, '8');
    await expectError(client, 'SELECT * FROM missing WHERE id = $1', [1], '42P01');
    await expectError(client, 'INSERT INTO orders (id, customer) VALUES ($1, $2)', [1, 'dup'], '23505');
    await expectError(client, 'SELECT 1 / $1::int', [0], '22012');
    e = await expectError(client, 'SELEC 1', [], '42601');
    assert.equal(e.severity, 'ERROR');
    // The connection is usable after errors.
    const r = await client.query('SELECT 1 AS one');
    assert.deepEqual(r.rows, [{ one: 1 }]);
  });

  await check('statement_timeout', async () => {
    await client.query("SET statement_timeout = '1s'");
    await expectError(client, 'SELECT count(*) FROM generate_series(1, 100000) a, generate_series(1, 1000) b WHERE a.a + b.b < $1', [0], '57014');
    await client.query('RESET statement_timeout');
    const r = await client.query('SHOW statement_timeout');
    assert.deepEqual(r.rows, [{ statement_timeout: '0' }]);
  });

  await client.end();

  await check('statement_timeout as a connection option (startup parameter)', async () => {
    const limited = new Client({ host, port: Number(port), user: 'runnel', database: 'runnel', statement_timeout: 1000 });
    await limited.connect();
    const r = await limited.query('SHOW statement_timeout');
    assert.deepEqual(r.rows, [{ statement_timeout: '1s' }]);
    await expectError(limited, 'SELECT count(*) FROM generate_series(1, 100000) a, generate_series(1, 1000) b WHERE a.a + b.b < 0', [], '57014');
    await limited.end();
  });
  console.log('node-postgres: all checks passed');
}

main().catch((e) => {
  console.log(`FAIL ${e.stack || e}`);
  process.exit(1);
});
