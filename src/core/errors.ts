// Errors that mean "the request is wrong", raised by validation in any layer and turned into a
// 400 with the message by the HTTP layer. Everything else a module can fail at is a value.

/** Input a person can fix: the message says what was wrong and what is accepted. */
export class BadRequest extends Error {}
