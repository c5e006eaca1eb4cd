import { describeDatabaseFaults } from './faults/database-fault-suite.js'
import { postgresFaultDatabase } from './faults/postgres-fault-database.js'

describeDatabaseFaults(postgresFaultDatabase('koa'))
