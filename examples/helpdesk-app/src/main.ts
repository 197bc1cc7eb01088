import { startApp } from './server';

const { url } = await startApp({}, Number(process.env.PORT ?? 3000));
console.log(`Tessera help desk on ${url} (open it, and switch between Ann the customer and Bob the agent)`);
