export { given, type Decided, type Given, type StateExpectation, type When } from './givenWhenThen.js';
