import type { Todo, TodoListState } from './todoListAggregate.js';

/** Whether the list holds a todo with this id. */
export function hasTodo(state: TodoListState, todoId: string): boolean {
  return state.todos.some((todo) => todo.todoId === todoId);
}

/** The todo with this id, or `undefined` when the list has none. */
export function getTodo(state: TodoListState, todoId: string): Todo | undefined {
  return state.todos.find((todo) => todo.todoId === todoId);
}

/** Every todo, in creation order. */
export function allTodos(state: TodoListState): readonly Todo[] {
  return state.todos;
}

/** The completed todos, in creation order. */
export function doneTodos(state: TodoListState): Todo[] {
  return state.todos.filter((todo) => todo.completed);
}
