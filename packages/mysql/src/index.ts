export type { PruneExpiredOptions, PruneExpiredResult } from '@sp-oauth/sql'
export type { MysqlConnection, MysqlStorage, MysqlStorageOptions } from './create-mysql-storage.js'
export { createMysqlStorage } from './create-mysql-storage.js'
