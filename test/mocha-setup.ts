// Loaded before any test file: keep fabric-contract-api's decorator logging quiet in tests.
process.env.CORE_CHAINCODE_LOGGING_LEVEL ??= 'ERROR';
