// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {SpendingAuthorizations} from "./SpendingAuthorizations.sol";

/**
 * @title BatchSettlement
 * @notice The coordinator settles metered usage in batches: per-user debits (each under the
 * user's spending authorization), per-operator credits, and the Merkle root of the proof-of-
 * execution receipts behind them. Operators and the treasury then pull what they are owed.
 *
 * NOTE: The contract sees aggregates, not receipts, so it checks the batch as a whole:
 * Σcredits == floor(Σdebits * shareBps / BPS) and fee == Σdebits - Σcredits. That each
 * operator received its own receipts' share is verifiable off-chain against the stored root.
 */
abstract contract BatchSettlement is SpendingAuthorizations {
    mapping(bytes32 batchId => bytes32) private _batchRoots;
    // Cumulative counters so a credit after a claim rewrites a non-zero slot (cheaper).
    mapping(address operator => uint256) private _earned;
    mapping(address operator => uint256) private _claimed;
    uint256 private _feesAccrued;

    /**
     * @notice Settles one batch: debits users, credits operators, accrues the fee.
     * @dev Only COORDINATOR_ROLE, not while paused. Each debit is checked against the user's
     * balance and the caller's authorization; each credited operator must be registered.
     * @param batchId Unique id of the batch; an id can be settled once.
     * @param receiptsRoot Merkle root of the batch's receipts (StandardMerkleTree leaves).
     * @param receiptCount Number of receipts under the root, for indexers.
     * @param debits What each user pays (a user may appear more than once).
     * @param credits What each operator earns; must total floor(Σdebits * shareBps / BPS).
     */
    function settle(
        bytes32 batchId,
        bytes32 receiptsRoot,
        uint256 receiptCount,
        Debit[] calldata debits,
        Credit[] calldata credits
    ) external onlyRole(COORDINATOR_ROLE) whenNotPaused {
        if (receiptsRoot == bytes32(0)) revert Credits_EmptyRoot();
        if (debits.length == 0) revert Credits_EmptyBatch();
        if (_batchRoots[batchId] != bytes32(0)) revert Credits_BatchAlreadySettled(batchId);

        _batchRoots[batchId] = receiptsRoot;
        uint256 debited = _applyDebits(batchId, debits);
        uint256 credited = _applyCredits(batchId, credits);
        uint256 expected = (debited * shareBps) / BPS;
        if (credited != expected) revert Credits_ShareMismatch(expected, credited);
        uint256 fee;
        unchecked {
            fee = debited - credited;
        }
        _feesAccrued += fee;

        emit BatchSettled(batchId, receiptsRoot, receiptCount, debited, fee);
    }

    /**
     * @notice Pays the caller's unclaimed earnings to `to`.
     * @param to The recipient.
     * @return amount The amount paid.
     */
    function claimEarnings(address to) external returns (uint256 amount) {
        if (to == address(0)) revert Credits_ZeroAddress();
        uint256 earned = _earned[msg.sender];
        amount = earned - _claimed[msg.sender];
        if (amount == 0) revert Credits_NothingToClaim();

        _claimed[msg.sender] = earned;

        emit EarningsClaimed(msg.sender, to, amount);
        SafeERC20.safeTransfer(token, to, amount);
    }

    /**
     * @notice Pays the accrued protocol fee to `to`.
     * @dev Only TREASURY_ROLE.
     * @param to The recipient.
     * @return amount The amount paid.
     */
    function claimFees(address to) external onlyRole(TREASURY_ROLE) returns (uint256 amount) {
        if (to == address(0)) revert Credits_ZeroAddress();
        amount = _feesAccrued;
        if (amount == 0) revert Credits_NothingToClaim();

        _feesAccrued = 0;

        emit FeesClaimed(to, amount);
        SafeERC20.safeTransfer(token, to, amount);
    }

    /**
     * @notice The receipts root posted with `batchId`.
     * @param batchId The batch id.
     * @return The root, or zero if the batch was never settled.
     */
    function batchRoot(bytes32 batchId) external view returns (bytes32) {
        return _batchRoots[batchId];
    }

    /**
     * @notice Whether `leaf` is a receipt of batch `batchId`.
     * @param batchId The batch id.
     * @param leaf The leaf hash (StandardMerkleTree: keccak256(keccak256(abi.encode(...)))).
     * @param proof The sibling hashes from the leaf to the root.
     * @return True if the proof leads from `leaf` to the batch's stored root.
     */
    function verifyReceipt(bytes32 batchId, bytes32 leaf, bytes32[] calldata proof)
        external
        view
        returns (bool)
    {
        bytes32 root = _batchRoots[batchId];
        return root != bytes32(0) && MerkleProof.verifyCalldata(proof, root, leaf);
    }

    /**
     * @notice Earnings `operator` can claim now.
     * @param operator The operator.
     * @return The unclaimed amount.
     */
    function earningsOf(address operator) external view returns (uint256) {
        return _earned[operator] - _claimed[operator];
    }

    /**
     * @notice Everything `operator` was ever credited, claimed or not.
     * @param operator The operator.
     * @return The cumulative amount.
     */
    function totalEarned(address operator) external view returns (uint256) {
        return _earned[operator];
    }

    /**
     * @notice Protocol fee accrued and not yet claimed.
     * @return The amount.
     */
    function feesAccrued() external view returns (uint256) {
        return _feesAccrued;
    }

    function _applyDebits(bytes32 batchId, Debit[] calldata debits)
        private
        returns (uint256 total)
    {
        uint256 count = debits.length;
        for (uint256 i; i < count;) {
            address user = debits[i].user;
            uint256 amount = debits[i].amount;
            _spend(user, msg.sender, amount);
            emit Debited(batchId, user, amount);
            // Every amount left a balance, so the running total is bounded by the supply.
            unchecked {
                total += amount;
                ++i;
            }
        }
    }

    function _applyCredits(bytes32 batchId, Credit[] calldata credits)
        private
        returns (uint256 total)
    {
        uint256 count = credits.length;
        for (uint256 i; i < count;) {
            address operator = credits[i].operator;
            uint256 amount = credits[i].amount;
            if (!registry.isRegistered(operator)) revert Credits_UnknownOperator(operator);
            total += amount;
            _earned[operator] += amount;
            emit Credited(batchId, operator, amount);
            unchecked {
                ++i;
            }
        }
    }
}
