import './quiet-logs.js';
// fabric-contract-api is CommonJS whose named exports Node's ESM loader cannot detect, so take
// them from the default export once, here.
import fabricContractApi from 'fabric-contract-api';

export const { Contract, Info, Transaction } = fabricContractApi;
