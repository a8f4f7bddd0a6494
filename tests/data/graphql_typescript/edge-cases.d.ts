/** GraphQL endpoint /api/v2/graphql: the schema rebuilt from traffic (`apidisco export graphql`) and the operations seen. */
export namespace GraphQLApiV22 {
  export interface Query {
    __typename?: "Query";
    /** Rows of cells. */
    grid: (number[] | null)[];
    maybe: (string | null)[] | null;
    node: Node | null;
    raw: JSON | null;
    record: Record_ | null;
    when: DateTime;
  }

  export interface Subscription {
    __typename?: "Subscription";
    ticks: number;
  }

  /** A date and time, ISO 8601. */
  export type DateTime = unknown;

  export interface Filter {
    deep?: (Filter[] | null)[] | null;
    first?: number | null;
    status?: Status | null;
    tags: string[];
  }

  export type JSON = unknown;

  export interface Nested {
    __typename?: "Nested";
    depth: number | null;
    record: Record_ | null;
  }

  /** Anything with an id. */
  export interface Node {
    id: string;
  }

  /** A name TypeScript keeps for itself. */
  export interface Record_ {
    __typename?: "Record";
    id: string;
    nested: Nested | null;
    /**
     * Free text.
     * Two lines of it, with a *\/ inside.
     */
    note: string | null;
    status: Status;
  }

  export type Status = "CLOSED" | "OPEN";

  /** The arguments of `Query.node`. */
  export interface QueryNodeArgs {
    id: string;
  }

  /** The arguments of `Query.record`. */
  export interface QueryRecordArgs {
    key?: string | null;
    limit?: number;
    strict: boolean;
  }

  /** The arguments of `Subscription.ticks`. */
  export interface SubscriptionTicksArgs {
    every?: number | null;
  }

  /** The variables of query 1st, 1 call. */
  export type Operation1stQueryVariables = { [key: string]: never };

  /** The result (`data`) of query 1st, 1 call. */
  export interface Operation1stQuery {
    when: DateTime;
  }

  /** The variables of query Grid($bad: [[, $f: Filter, $x: Unknown!), 2 calls. */
  export interface GridQueryVariables {
    bad?: unknown;
    f?: Filter | null;
    x?: unknown;
  }

  /** The result (`data`) of query Grid($bad: [[, $f: Filter, $x: Unknown!), 2 calls. */
  export interface GridQuery {
    grid: (number[] | null)[];
    maybe: (string | null)[] | null;
    missing: unknown;
  }

  /** The variables of query Record, 1 call. */
  export type RecordQueryVariables = { [key: string]: never };

  /** The result (`data`) of query Record, 1 call. */
  export interface RecordQuery {
    record: Record_ | null;
  }

  /** The variables of query record, 1 call. */
  export type Record2QueryVariables = { [key: string]: never };

  /** The result (`data`) of query record, 1 call. */
  export interface Record2Query {
    record: Record_ | null;
  }

  /** The variables of subscription Ticks($every: Int), 1 call. */
  export interface TicksSubscriptionVariables {
    every?: number | null;
  }

  /** The result (`data`) of subscription Ticks($every: Int), 1 call. */
  export interface TicksSubscription {
    ticks: number;
  }
}
