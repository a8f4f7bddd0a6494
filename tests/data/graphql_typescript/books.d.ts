/** GraphQL endpoint /graphql: the schema rebuilt from traffic (`apidisco export graphql`) and the operations seen. */
export namespace GraphQL {
  export interface Query {
    __typename?: "Query";
    author: Author | null;
    authors: Author[] | null;
    book: Book | null;
    books: Book[];
    reviews: Review[] | null;
    search: Search[] | null;
  }

  export interface Mutation {
    __typename?: "Mutation";
    addBook: Book;
    addReview: Review;
    deleteReview: boolean | null;
  }

  export interface Author {
    __typename?: "Author";
    books: Book[];
    born: number | null;
    id: string;
    name: string;
  }

  export interface Book {
    __typename?: "Book";
    author: Author;
    averageRating: number | null;
    genre: Genre;
    id: string;
    inPrint: boolean;
    price: number;
    reviews: Review[];
    tags: string[];
    title: string;
    year: number;
  }

  export interface BookInput {
    authorId?: string | null;
    genre?: Genre | null;
    inPrint?: boolean | null;
    price?: number | null;
    tags?: (string | null)[] | null;
    title?: string | null;
    year?: number | null;
  }

  /** Declared by operations' variables; values from requests and responses. */
  export type Genre = "FICTION" | "HISTORY" | "POETRY" | "SCIENCE";

  /** Named after the field that returns it; the responses had no __typename. */
  export interface Review {
    __typename?: "Review";
    book: Book;
    id: string;
    rating: number;
    text: string;
  }

  export interface ReviewInput {
    bookId?: string | null;
    rating?: number | null;
    text?: string | null;
  }

  /** The object types __typename named at one position. */
  export type Search = Author | Book;

  /** The arguments of `Query.author`. */
  export interface QueryAuthorArgs {
    id?: string | null;
  }

  /** The arguments of `Query.book`. */
  export interface QueryBookArgs {
    id?: string | null;
  }

  /** The arguments of `Query.books`. */
  export interface QueryBooksArgs {
    genre?: Genre | null;
    limit?: number | null;
  }

  /** The arguments of `Query.reviews`. */
  export interface QueryReviewsArgs {
    minRating?: number | null;
  }

  /** The arguments of `Query.search`. */
  export interface QuerySearchArgs {
    text?: string | null;
  }

  /** The arguments of `Mutation.addBook`. */
  export interface MutationAddBookArgs {
    book?: BookInput | null;
  }

  /** The arguments of `Mutation.addReview`. */
  export interface MutationAddReviewArgs {
    review?: ReviewInput | null;
  }

  /** The arguments of `Mutation.deleteReview`. */
  export interface MutationDeleteReviewArgs {
    id?: string | null;
  }

  /** The variables of query (anonymous), 1 call. */
  export type AnonymousBooksQueryVariables = { [key: string]: never };

  /** The result (`data`) of query (anonymous), 1 call. */
  export interface AnonymousBooksQuery {
    books: Book[];
  }

  /** The variables of query BooksByGenre($genre: Genre!, $limit: Int), 2 calls. */
  export interface BooksByGenreQueryVariables {
    genre: Genre;
    limit?: number | null;
  }

  /** The result (`data`) of query BooksByGenre($genre: Genre!, $limit: Int), 2 calls. */
  export interface BooksByGenreQuery {
    books: Book[];
  }

  /** The variables of query Pair, 1 call. */
  export type PairQueryVariables = { [key: string]: never };

  /** The result (`data`) of query Pair, 1 call. */
  export interface PairQuery {
    book: Book | null;
  }

  /** The variables of mutation AddBook($book: BookInput!), 12 calls. */
  export interface AddBookMutationVariables {
    book: BookInput;
  }

  /** The result (`data`) of mutation AddBook($book: BookInput!), 12 calls. */
  export interface AddBookMutation {
    addBook: Book;
  }

  /** The variables of mutation DeleteReview($id: ID!), 1 call. */
  export interface DeleteReviewMutationVariables {
    id: string;
  }

  /** The result (`data`) of mutation DeleteReview($id: ID!), 1 call. */
  export interface DeleteReviewMutation {
    deleteReview: boolean | null;
  }
}
