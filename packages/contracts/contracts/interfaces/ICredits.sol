// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/**
 * @title ICredits
 * @notice Types, events and errors of the ParalleliX credit vault.
 */
interface ICredits {
    /// @notice What one user pays in a settlement batch (the sum of its receipts).
    struct Debit {
        address user;
        uint256 amount;
    }

    /// @notice What one operator earns in a settlement batch (its share of its receipts).
    struct Credit {
        address operator;
        uint256 amount;
    }

    /// @notice `amount` of `user`'s tokens was added to its credit balance.
    event Deposited(address indexed user, uint256 amount);
    /// @notice `user` let `coordinator` debit up to `cap` until `expiry`.
    event AuthorizationGranted(
        address indexed user,
        address indexed coordinator,
        uint256 cap,
        uint256 expiry,
        uint256 nonce
    );
    /// @notice `user` revoked `coordinator`; signatures below `nextNonce` are dead.
    event AuthorizationRevoked(
        address indexed user, address indexed coordinator, uint256 nextNonce
    );
    /// @notice `user` withdrew `amount` at once under a coordinator's co-signature.
    event Withdrawn(
        address indexed user, address indexed coordinator, uint256 amount, uint256 nonce
    );
    /// @notice `user` asked to withdraw `amount` without co-signature, executable at `readyAt`.
    event WithdrawalRequested(address indexed user, uint256 amount, uint256 readyAt);
    /// @notice `user` dropped its pending delayed withdrawal.
    event WithdrawalCancelled(address indexed user, uint256 amount);
    /// @notice `user` executed a delayed withdrawal of `requested` and received `paid`.
    event WithdrawalExecuted(address indexed user, uint256 requested, uint256 paid);
    /// @notice Settlement `batchId` took `amount` from `user`.
    event Debited(bytes32 indexed batchId, address indexed user, uint256 amount);
    /// @notice Settlement `batchId` gave `amount` to `operator`.
    event Credited(bytes32 indexed batchId, address indexed operator, uint256 amount);
    /// @notice Batch `batchId` of `receiptCount` receipts under `receiptsRoot` was settled.
    event BatchSettled(
        bytes32 indexed batchId,
        bytes32 receiptsRoot,
        uint256 receiptCount,
        uint256 debited,
        uint256 fee
    );
    /// @notice `operator` pulled `amount` of earnings into `to`.
    event EarningsClaimed(address indexed operator, address indexed to, uint256 amount);
    /// @notice The treasury pulled `amount` of protocol fee into `to`.
    event FeesClaimed(address indexed to, uint256 amount);
    /// @notice The admin changed the operators' share.
    event ShareUpdated(uint256 previousBps, uint256 currentBps);
    /// @notice The admin changed the delay of future delayed withdrawals.
    event WithdrawalDelayUpdated(uint256 previous, uint256 current);

    /// @dev The amount must be greater than zero.
    error Credits_ZeroAmount();
    /// @dev The address must not be zero.
    error Credits_ZeroAddress();
    /// @dev `user` holds `balance`, less than the `needed` amount.
    error Credits_InsufficientBalance(address user, uint256 balance, uint256 needed);
    /// @dev The signature does not come from the expected signer.
    error Credits_InvalidSignature();
    /// @dev The account does not hold the coordinator role.
    error Credits_NotCoordinator(address account);
    /// @dev The spending authorization of `user` is past its `expiry`.
    error Credits_AuthorizationExpired(address user, uint256 expiry);
    /// @dev The signed nonce is not the one the contract expects next.
    error Credits_InvalidNonce(address user, uint256 expected, uint256 provided);
    /// @dev `user` has no live authorization for `coordinator`.
    error Credits_NoAuthorization(address user, address coordinator);
    /// @dev The debit would take `user` past its authorized cap.
    error Credits_CapExceeded(address user, uint256 remaining, uint256 needed);
    /// @dev The co-signature is past its deadline.
    error Credits_SignatureExpired(uint256 deadline);
    /// @dev `user` has no pending delayed withdrawal.
    error Credits_NoPendingWithdrawal(address user);
    /// @dev The delayed withdrawal can be executed from `readyAt` only.
    error Credits_WithdrawalNotReady(uint256 readyAt);
    /// @dev A batch with this id was settled before.
    error Credits_BatchAlreadySettled(bytes32 batchId);
    /// @dev A batch must carry a receipts root.
    error Credits_EmptyRoot();
    /// @dev A batch must carry at least one debit.
    error Credits_EmptyBatch();
    /// @dev Operator credits must equal floor(debits * shareBps / 10000).
    error Credits_ShareMismatch(uint256 expected, uint256 credited);
    /// @dev Credits can only go to registered operators.
    error Credits_UnknownOperator(address operator);
    /// @dev There is nothing to claim.
    error Credits_NothingToClaim();
    /// @dev The operator share must lie within [MIN_SHARE_BPS, MAX_SHARE_BPS].
    error Credits_ShareOutOfBounds(uint256 bps);
    /// @dev The withdrawal delay exceeds the hard maximum.
    error Credits_DelayTooLong(uint256 delay);
}
