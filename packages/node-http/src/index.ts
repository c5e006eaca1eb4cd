export { httpRequestOf, type RequestTarget, splitRequestTarget } from './http-request-of.js'
export { readRequestBody, TOO_LARGE } from './read-request-body.js'
