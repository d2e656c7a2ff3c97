import { benchGas } from './gas.ts'

console.log(await benchGas())
