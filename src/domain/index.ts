export {
  MAX_TODO_ID_LENGTH,
  MAX_TODO_TEXT_LENGTH,
  todoCommandSchema,
  todoEventSchemas,
  todoListAggregate,
  todoListStateSchema,
  type Todo,
  type TodoCommand,
  type TodoEvent,
  type TodoListState,
} from './todos/todoListAggregate.js';
export { allTodos, doneTodos, getTodo, hasTodo } from './todos/todoQueries.js';
export {
  decideUser,
  userAggregate,
  userCommandSchema,
  userEventSchemas,
  userStateSchema,
  type UserCommand,
  type UserEvent,
  type UserState,
  type UserView,
} from './users/userAggregate.js';
export { migrateUserStateV1, userAggregateV2, userStateSchemaV2, type UserStateV2 } from './users/userAggregateV2.js';
export { todoSummaryProjection, todoSummarySchema, type TodoSummary } from './projections/todoSummaryProjection.js';
export { userDirectoryProjection, userDirectoryEntrySchema, type UserDirectoryEntry } from './projections/userDirectoryProjection.js';
