// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {CreditsLedger} from "./CreditsLedger.sol";

/**
 * @title Withdrawals
 * @notice Two ways out of the vault. Instant: the user presents a coordinator's EIP-712
 * co-signature, by which the coordinator states it holds no unsettled spending beyond what
 * stays. Delayed: the user requests, waits `withdrawalDelay`, then executes; meanwhile the
 * coordinator can still settle, and the execution pays at most the balance left by then.
 *
 * NOTE: Neither path is stopped by `pause`, so the admin cannot trap deposits.
 */
abstract contract Withdrawals is CreditsLedger {
    /// @notice EIP-712 type hash of the co-signature a coordinator gives for an instant exit.
    bytes32 public constant WITHDRAWAL_APPROVAL_TYPEHASH = keccak256(
        "WithdrawalApproval(address user,uint256 amount,uint256 nonce,uint256 deadline)"
    );

    struct PendingWithdrawal {
        uint256 amount;
        uint256 readyAt;
    }

    mapping(address user => uint256) private _withdrawalNonces;
    mapping(address user => PendingWithdrawal) private _pending;

    /**
     * @notice Withdraws `amount` at once, co-signed by a coordinator.
     * @param amount The amount to withdraw to the caller.
     * @param deadline The last timestamp at which the co-signature is valid.
     * @param coordinator The co-signer; must hold COORDINATOR_ROLE.
     * @param signature The coordinator's EIP-712 WithdrawalApproval over the caller, `amount`,
     * `withdrawalNonce(caller)` and `deadline`.
     */
    function withdraw(
        uint256 amount,
        uint256 deadline,
        address coordinator,
        bytes calldata signature
    ) external {
        if (amount == 0) revert Credits_ZeroAmount();
        if (block.timestamp > deadline) revert Credits_SignatureExpired(deadline);
        _requireCoordinator(coordinator);
        uint256 nonce = _withdrawalNonces[msg.sender];
        bytes32 digest = _hashTypedDataV4(
            keccak256(abi.encode(WITHDRAWAL_APPROVAL_TYPEHASH, msg.sender, amount, nonce, deadline))
        );
        if (!SignatureChecker.isValidSignatureNowCalldata(coordinator, digest, signature)) {
            revert Credits_InvalidSignature();
        }
        uint256 balance = _balances[msg.sender];
        if (amount > balance) revert Credits_InsufficientBalance(msg.sender, balance, amount);

        _withdrawalNonces[msg.sender] = nonce + 1;
        unchecked {
            _balances[msg.sender] = balance - amount;
        }

        emit Withdrawn(msg.sender, coordinator, amount, nonce);
        SafeERC20.safeTransfer(token, msg.sender, amount);
    }

    /**
     * @notice Starts a delayed withdrawal of `amount`, replacing any pending one.
     * @dev Settlement may still debit the caller until execution.
     * @param amount The amount to withdraw; at most the caller's current balance.
     */
    function requestWithdrawal(uint256 amount) external {
        if (amount == 0) revert Credits_ZeroAmount();
        uint256 balance = _balances[msg.sender];
        if (amount > balance) revert Credits_InsufficientBalance(msg.sender, balance, amount);

        uint256 readyAt = block.timestamp + withdrawalDelay;
        _pending[msg.sender] = PendingWithdrawal({amount: amount, readyAt: readyAt});

        emit WithdrawalRequested(msg.sender, amount, readyAt);
    }

    /**
     * @notice Drops the caller's pending delayed withdrawal.
     */
    function cancelWithdrawal() external {
        uint256 amount = _pending[msg.sender].amount;
        if (amount == 0) revert Credits_NoPendingWithdrawal(msg.sender);

        delete _pending[msg.sender];

        emit WithdrawalCancelled(msg.sender, amount);
    }

    /**
     * @notice Executes the caller's delayed withdrawal once its delay has passed.
     * @dev Pays the requested amount, or the whole balance if settlement left less.
     * @return paid The amount transferred to the caller.
     */
    function executeWithdrawal() external returns (uint256 paid) {
        PendingWithdrawal memory request = _pending[msg.sender];
        if (request.amount == 0) revert Credits_NoPendingWithdrawal(msg.sender);
        if (block.timestamp < request.readyAt) revert Credits_WithdrawalNotReady(request.readyAt);

        delete _pending[msg.sender];
        uint256 balance = _balances[msg.sender];
        paid = request.amount < balance ? request.amount : balance;
        unchecked {
            _balances[msg.sender] = balance - paid;
        }

        emit WithdrawalExecuted(msg.sender, request.amount, paid);
        if (paid > 0) SafeERC20.safeTransfer(token, msg.sender, paid);
    }

    /**
     * @notice The nonce the next instant-withdrawal co-signature for `user` must carry.
     * @param user The user.
     * @return The expected nonce.
     */
    function withdrawalNonce(address user) external view returns (uint256) {
        return _withdrawalNonces[user];
    }

    /**
     * @notice The pending delayed withdrawal of `user`.
     * @param user The user.
     * @return amount The requested amount (zero when none).
     * @return readyAt The first timestamp at which it can be executed.
     */
    function pendingWithdrawal(address user)
        external
        view
        returns (uint256 amount, uint256 readyAt)
    {
        PendingWithdrawal memory request = _pending[user];
        return (request.amount, request.readyAt);
    }
}
