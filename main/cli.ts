#!/usr/bin/env node
console.log('dojang')
