// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ICredits} from "../interfaces/ICredits.sol";
import {IOperatorRegistry} from "../interfaces/IOperatorRegistry.sol";

/**
 * @title CreditsLedger
 * @notice Shared state of the credit vault: the token, user balances, roles and the
 * admin-tunable parameters. The authorization, withdrawal and settlement modules build on it.
 */
abstract contract CreditsLedger is ICredits, AccessControl, Pausable, EIP712 {
    /// @notice Accounts allowed to settle batches and co-sign instant withdrawals.
    bytes32 public constant COORDINATOR_ROLE = keccak256("COORDINATOR_ROLE");
    /// @notice Accounts allowed to collect the protocol fee.
    bytes32 public constant TREASURY_ROLE = keccak256("TREASURY_ROLE");
    /// @notice Denominator of every basis-point value.
    uint256 public constant BPS = 10_000;
    /// @notice Lowest operator share the admin may configure.
    uint256 public constant MIN_SHARE_BPS = 5_000;
    /// @notice Highest operator share the admin may configure.
    uint256 public constant MAX_SHARE_BPS = 10_000;
    /// @notice Longest delay the admin may impose on delayed withdrawals.
    uint256 public constant MAX_WITHDRAWAL_DELAY = 30 days;

    /// @notice The credit token ($PRLX).
    IERC20 public immutable token;
    /// @notice The registry whose operators may be credited.
    IOperatorRegistry public immutable registry;

    /// @notice Operators' share of every debit, in basis points.
    uint16 public shareBps;
    /// @notice Seconds between a delayed withdrawal request and its execution.
    uint32 public withdrawalDelay;

    mapping(address user => uint256) internal _balances;

    constructor(
        IERC20 token_,
        IOperatorRegistry registry_,
        address admin,
        uint256 shareBps_,
        uint256 withdrawalDelay_
    ) EIP712("ParalleliXAICredits", "1") {
        if (address(token_) == address(0)) revert Credits_ZeroAddress();
        if (address(registry_) == address(0)) revert Credits_ZeroAddress();
        if (admin == address(0)) revert Credits_ZeroAddress();
        token = token_;
        registry = registry_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(TREASURY_ROLE, admin);
        _setShareBps(shareBps_);
        _setWithdrawalDelay(withdrawalDelay_);
    }

    /**
     * @notice Credit balance of `user`, available for settlement and withdrawal.
     * @param user The depositor.
     * @return The balance in token units.
     */
    function balanceOf(address user) external view returns (uint256) {
        return _balances[user];
    }

    /**
     * @notice Changes the operators' share of future settlements.
     * @dev Only the admin; bounded to [MIN_SHARE_BPS, MAX_SHARE_BPS].
     * @param bps The new share in basis points.
     */
    function setShareBps(uint256 bps) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setShareBps(bps);
    }

    /**
     * @notice Changes the delay of withdrawal requests made from now on.
     * @dev Only the admin; at most MAX_WITHDRAWAL_DELAY. Pending requests keep their time.
     * @param delay The new delay in seconds.
     */
    function setWithdrawalDelay(uint256 delay) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setWithdrawalDelay(delay);
    }

    /**
     * @notice Stops deposits, new authorizations and settlement.
     * @dev Only the admin. Withdrawals and claims stay open so a pause never traps funds.
     */
    function pause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _pause();
    }

    /**
     * @notice Resumes deposits, authorizations and settlement.
     * @dev Only the admin.
     */
    function unpause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _unpause();
    }

    function _requireCoordinator(address account) internal view {
        if (!hasRole(COORDINATOR_ROLE, account)) revert Credits_NotCoordinator(account);
    }

    function _setShareBps(uint256 bps) private {
        if (bps < MIN_SHARE_BPS || bps > MAX_SHARE_BPS) revert Credits_ShareOutOfBounds(bps);
        uint256 previous = shareBps;
        shareBps = uint16(bps);
        emit ShareUpdated(previous, bps);
    }

    function _setWithdrawalDelay(uint256 delay) private {
        if (delay > MAX_WITHDRAWAL_DELAY) revert Credits_DelayTooLong(delay);
        uint256 previous = withdrawalDelay;
        withdrawalDelay = uint32(delay);
        emit WithdrawalDelayUpdated(previous, delay);
    }
}
