export * from './index.js'
export { PostQ as default } from './index.js'
