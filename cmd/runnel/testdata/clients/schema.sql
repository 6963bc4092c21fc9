CREATE TABLE orders (id bigint PRIMARY KEY, customer text NOT NULL, amount numeric(10,2), created_at timestamptz DEFAULT now());
CREATE VIEW big_orders AS SELECT id, customer, amount FROM orders WHERE amount > 100;
CREATE MATERIALIZED VIEW customer_totals AS SELECT customer, sum(amount) AS total, count(*) AS n FROM orders GROUP BY customer;
CREATE TABLE copy_target (id bigint, name text);
INSERT INTO orders VALUES (1, 'alice', 10.50, '2024-01-01 00:00:00+00'), (2, 'bob', 20.00, '2024-01-02 00:00:00+00'), (3, 'alice', 5.25, '2024-01-03 00:00:00+00');
