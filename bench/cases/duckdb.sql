-- BTYD summary (lifetimes' convention, in days, as of the last order date) of a transactions CSV,
-- with clvkit's purchase and returns policy. Lines with the same order_id form one order; an
-- order is a return when its net amount is negative or its id is a cancelled invoice ("C" +
-- digits); lines without an order_id form one order per customer and day. A purchase day is a
-- day with at least one non-return order; its total nets in every order of that day, returns
-- included; days with only returns are not purchase days.
WITH lines AS (
  SELECT * FROM read_csv('transactions.csv', header = true, columns = {
    'order_id': 'VARCHAR', 'customer_id': 'VARCHAR', 'date': 'DATE', 'amount': 'DECIMAL(18,2)',
    'quantity': 'DECIMAL(18,4)', 'product_id': 'VARCHAR', 'category': 'VARCHAR', 'channel': 'VARCHAR'})
),
orders AS (
  SELECT customer_id, date AS day, sum(amount) AS net,
         sum(amount) < 0 OR coalesce(regexp_full_match(order_id, 'C[0-9]+'), false) AS is_return
  FROM lines
  GROUP BY customer_id, order_id, date
),
as_of AS (SELECT max(day) AS as_of FROM orders),
days AS (
  SELECT customer_id, day, sum(net) AS total
  FROM orders, as_of
  WHERE day <= as_of
  GROUP BY customer_id, day
  HAVING bool_or(NOT is_return)
)
SELECT customer_id,
       (count(*) - 1)::INTEGER AS frequency,
       (max(day) - min(day))::INTEGER AS recency,
       ((SELECT as_of FROM as_of) - min(day))::INTEGER AS "T",
       CASE WHEN count(*) > 1
            THEN (sum(total) - arg_min(total, day))::DOUBLE / (count(*) - 1)
            ELSE 0 END AS monetary_value
FROM days
GROUP BY customer_id
