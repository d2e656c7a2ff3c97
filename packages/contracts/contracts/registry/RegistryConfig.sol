// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {IOperatorRegistry} from "../interfaces/IOperatorRegistry.sol";

/**
 * @title RegistryConfig
 * @notice Roles, the staking token and the admin-tunable parameters of the operator registry.
 */
abstract contract RegistryConfig is IOperatorRegistry, AccessControl, Pausable {
    /// @notice Accounts allowed to slash.
    bytes32 public constant COORDINATOR_ROLE = keccak256("COORDINATOR_ROLE");
    /// @notice Accounts allowed to collect slashed stake.
    bytes32 public constant TREASURY_ROLE = keccak256("TREASURY_ROLE");
    /// @notice Denominator of every basis-point value.
    uint256 public constant BPS = 10_000;
    /// @notice Longest unbonding delay the admin may configure.
    uint256 public constant MAX_UNBONDING_DELAY = 90 days;

    /// @notice The staking token ($PRLX).
    IERC20 public immutable token;
    /// @notice Minimum stake for a new registration.
    uint256 public minStake;
    /// @notice Seconds between a leave request and the stake withdrawal.
    uint32 public unbondingDelay;
    /// @notice Largest share of its current stake one slash may take, in basis points.
    uint16 public maxSlashBps;

    constructor(
        IERC20 token_,
        address admin,
        uint256 minStake_,
        uint256 unbondingDelay_,
        uint256 maxSlashBps_
    ) {
        if (address(token_) == address(0) || admin == address(0)) revert Registry_ZeroAddress();
        token = token_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(TREASURY_ROLE, admin);
        _setMinStake(minStake_);
        _setUnbondingDelay(unbondingDelay_);
        _setMaxSlashBps(maxSlashBps_);
    }

    /**
     * @notice Changes the minimum stake of future registrations.
     * @dev Only the admin.
     * @param amount The new minimum.
     */
    function setMinStake(uint256 amount) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setMinStake(amount);
    }

    /**
     * @notice Changes the unbonding delay of future leave requests.
     * @dev Only the admin; at most MAX_UNBONDING_DELAY.
     * @param delay The new delay in seconds.
     */
    function setUnbondingDelay(uint256 delay) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setUnbondingDelay(delay);
    }

    /**
     * @notice Changes the per-event slash bound.
     * @dev Only the admin; within (0, BPS].
     * @param bps The new bound in basis points.
     */
    function setMaxSlashBps(uint256 bps) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setMaxSlashBps(bps);
    }

    /**
     * @notice Stops registrations, stake top-ups and slashing.
     * @dev Only the admin.
     */
    function pause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _pause();
    }

    /**
     * @notice Resumes registrations, stake top-ups and slashing.
     * @dev Only the admin.
     */
    function unpause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _unpause();
    }

    function _setMinStake(uint256 amount) private {
        uint256 previous = minStake;
        minStake = amount;
        emit MinStakeUpdated(previous, amount);
    }

    function _setUnbondingDelay(uint256 delay) private {
        if (delay > MAX_UNBONDING_DELAY) revert Registry_DelayTooLong(delay);
        uint256 previous = unbondingDelay;
        unbondingDelay = uint32(delay);
        emit UnbondingDelayUpdated(previous, delay);
    }

    function _setMaxSlashBps(uint256 bps) private {
        if (bps == 0 || bps > BPS) revert Registry_SlashBpsOutOfBounds(bps);
        uint256 previous = maxSlashBps;
        maxSlashBps = uint16(bps);
        emit MaxSlashBpsUpdated(previous, bps);
    }
}
