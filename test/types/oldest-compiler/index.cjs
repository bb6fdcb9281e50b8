// The compiler API of the TypeScript installed here (5.7), for the project's scripts and tests.
module.exports = require('typescript');
