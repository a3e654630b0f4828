import type { Chronicle } from 'chronicle-es';
import { allTodos, doneTodos, getTodo, hasTodo, todoListAggregate, userAggregate } from 'chronicle-es/domain';

/** Every command of the two built-in aggregates, once. */
export async function builtInDomains(chronicle: Chronicle): Promise<string[]> {
  const todos = chronicle.aggregate(todoListAggregate); // stream "todos-<id>"
  await todos.handle('home', { type: 'CreateTodo', todoId: 'milk', text: 'buy milk' });
  await todos.handle('home', { type: 'CreateTodo', todoId: 'bread', text: 'buy bread' });
  await todos.handle('home', { type: 'ChangeTodoText', todoId: 'milk', text: 'buy oat milk' });
  await todos.handle('home', { type: 'ChangeTodoCompleted', todoId: 'milk', completed: true });
  await todos.handle('home', { type: 'DeleteTodo', todoId: 'bread' });
  const cleared = await todos.handle('home', { type: 'ClearDone' }); // no event when nothing is done
  const { state } = await todos.load('home');
  const summary = [
    `cleared: ${cleared.events.map((e) => (e.type === 'DoneCleared' ? e.data.todoIds.join(',') : '')).join('')}`,
    `left: ${allTodos(state).length}, done: ${doneTodos(state).length}, has milk: ${hasTodo(state, 'milk')}, milk: ${getTodo(state, 'milk')?.text ?? '-'}`,
  ];

  const users = chronicle.aggregate(userAggregate); // stream "user-<id>"
  await users.handle('ada', { type: 'CreateUser', name: 'Ada', email: 'ada@example.com' });
  await users.handle('ada', { type: 'UpdateUser', email: 'ada@lovelace.dev' });
  await users.handle('ada', { type: 'SetCookies', cookies: 3 });
  await users.handle('ada', { type: 'DeleteUser' });
  summary.push(`user: ${(await users.load('ada')).state.status}`);
  return summary;
}
