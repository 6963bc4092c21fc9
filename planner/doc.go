// Package planner binds PostgreSQL syntax trees (from package sql) against a catalog into a typed
// logical plan, rewrites it, and lowers it to an exec.Graph of dataflow operators.
//
// Binding resolves names (tables, views, CTEs, aliases, columns) with PostgreSQL's rules and
// messages, types every expression through exec/expr's constructors, and infers parameter types.
// The logical plan is a tree (a DAG where a CTE or a table is read twice) of relational nodes:
// scan, const, filter, project, join, aggregate, distinct, union, set operation and top-N.
// Rewrites push predicates towards the inputs (never below the null-supplying side of an outer
// join, which becomes an inner join when a strict condition above it rejects NULLs), turn
// equalities across a join into equi-join keys, and drop columns no consumer needs; correlated
// subqueries are decorrelated into semi, anti and left joins. A subquery correlated by anything
// but equalities (or aggregating with GROUP BY or HAVING, or used by EXISTS, IN, ANY or ALL
// while aggregating, or reading outer columns in its select list or HAVING) is evaluated once per distinct correlation value of the outer rows (the
// domain, see domain.go) and joined back on IS NOT DISTINCT FROM; x op ANY/ALL (subquery) is
// computed from the subquery's count, non-NULL count, min and max with PostgreSQL's NULL rules.
// Lowering maps each node to one exec
// operator. Two operators are the planner's own: AssertSingleRow (a scalar subquery that is not
// provably single-row fails with 21000 when it returns more rows) and a top-N whose LIMIT/OFFSET
// are parameters, built at the first Step.
//
// Contract:
//   - Every table and materialized view read is an input of the Graph, keyed by Relation.ID; plain
//     views are inlined from their defining query text.
//   - A Query's Graph output holds the result columns first; for ad-hoc queries whose ORDER BY
//     needs expressions that are not selected, hidden sort columns follow them, and the caller
//     drops every column past len(Query.Columns) after sorting.
//   - A Query's OrderBy, Limit and Offset are for the caller to apply to the Graph output after
//     it runs (a constant LIMIT is also applied inside the graph by a top-N operator to shrink the
//     output). A LIMIT or OFFSET given by a parameter is applied inside the graph only, by a
//     top-N operator built when the parameter values are known.
//   - User errors are *sqlerr.Error values with PostgreSQL's SQLSTATE, message and 1-based
//     character position in the statement text. Unsupported features return 0A000, never a plan
//     that would give a wrong answer.
//   - Planning has no side effects on the catalog; a Planner keeps no state between calls.
package planner
