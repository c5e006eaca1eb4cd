import { describeDatabaseFaults } from './faults/database-fault-suite.js'
import { mysqlFaultDatabase } from './faults/mysql-fault-database.js'

describeDatabaseFaults(mysqlFaultDatabase('koa'))
