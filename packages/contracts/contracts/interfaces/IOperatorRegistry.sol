// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/**
 * @title IOperatorRegistry
 * @notice Events, errors and the membership view of the ParalleliX operator registry.
 */
interface IOperatorRegistry {
    /// @notice An operator bonded `stake` and announced its libp2p `peerId`.
    event OperatorRegistered(address indexed operator, string peerId, uint256 stake);
    /// @notice An operator added `amount` to its stake, which is now `stake`.
    event StakeIncreased(address indexed operator, uint256 amount, uint256 stake);
    /// @notice An operator started unbonding; its stake can be withdrawn from `readyAt`.
    event LeaveRequested(address indexed operator, uint256 readyAt);
    /// @notice An operator left the registry and took back `amount` of stake.
    event StakeWithdrawn(address indexed operator, uint256 amount);
    /// @notice The coordinator slashed `amount` from `operator` citing `evidenceHash`.
    event OperatorSlashed(
        address indexed operator, bytes32 indexed evidenceHash, uint256 amount, uint256 stake
    );
    /// @notice The treasury collected `amount` of slashed stake into `to`.
    event SlashedClaimed(address indexed to, uint256 amount);
    /// @notice The admin changed the minimum stake for new registrations.
    event MinStakeUpdated(uint256 previous, uint256 current);
    /// @notice The admin changed the unbonding delay for future leave requests.
    event UnbondingDelayUpdated(uint256 previous, uint256 current);
    /// @notice The admin changed the largest share of stake one slash may take.
    event MaxSlashBpsUpdated(uint256 previous, uint256 current);

    /// @dev The caller already holds a registration.
    error Registry_AlreadyRegistered(address operator);
    /// @dev Another operator already announced this peer id.
    error Registry_PeerIdTaken(string peerId);
    /// @dev The peer id is empty or longer than the registry accepts.
    error Registry_InvalidPeerId();
    /// @dev The offered stake is under the configured minimum.
    error Registry_StakeTooLow(uint256 stake, uint256 minimum);
    /// @dev The address holds no registration.
    error Registry_NotRegistered(address operator);
    /// @dev The operator already asked to leave.
    error Registry_AlreadyLeaving(address operator);
    /// @dev The operator never asked to leave.
    error Registry_NotLeaving(address operator);
    /// @dev The unbonding delay has not passed yet.
    error Registry_UnbondingNotFinished(uint256 readyAt);
    /// @dev The slash is larger than the per-event bound allows.
    error Registry_SlashTooLarge(uint256 amount, uint256 maximum);
    /// @dev This evidence already backed a slash.
    error Registry_EvidenceAlreadyUsed(bytes32 evidenceHash);
    /// @dev A slash must cite evidence.
    error Registry_EmptyEvidence();
    /// @dev The amount must be greater than zero.
    error Registry_ZeroAmount();
    /// @dev The address must not be zero.
    error Registry_ZeroAddress();
    /// @dev The slash bound must lie in (0, 10000] basis points.
    error Registry_SlashBpsOutOfBounds(uint256 bps);
    /// @dev The unbonding delay exceeds the hard maximum.
    error Registry_DelayTooLong(uint256 delay);
    /// @dev There is nothing to collect.
    error Registry_NothingToClaim();

    /**
     * @notice Whether `operator` holds a registration (active or unbonding).
     * @param operator The operator's account.
     * @return True from registration until the stake is withdrawn.
     */
    function isRegistered(address operator) external view returns (bool);
}
