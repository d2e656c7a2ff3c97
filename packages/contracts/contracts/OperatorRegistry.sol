// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IOperatorRegistry} from "./interfaces/IOperatorRegistry.sol";
import {RegistryConfig} from "./registry/RegistryConfig.sol";

/**
 * @title OperatorRegistry
 * @notice Inference operators bond $PRLX against their libp2p peer id. Leaving takes an
 * unbonding delay, during which the coordinator can still slash a bounded share per event.
 *
 * NOTE: `pause` stops registration, stake top-ups and slashing; leaving never stops.
 */
contract OperatorRegistry is RegistryConfig {
    /// @notice Longest peer id accepted, in bytes.
    uint256 public constant MAX_PEER_ID_LENGTH = 128;

    struct Operator {
        uint128 stake;
        uint64 leaveReadyAt;
        bool registered;
    }

    /// @notice Slashed stake not yet collected by the treasury.
    uint256 public slashedBalance;

    mapping(address operator => Operator) private _operators;
    mapping(address operator => string) private _peerIds;
    mapping(bytes32 peerIdHash => address) private _byPeerId;
    mapping(bytes32 evidenceHash => bool) private _usedEvidence;

    /**
     * @param token_ The staking token.
     * @param admin Receives DEFAULT_ADMIN_ROLE and TREASURY_ROLE.
     * @param minStake_ Minimum stake (zero allowed on devnets).
     * @param unbondingDelay_ Unbonding delay in seconds.
     * @param maxSlashBps_ Per-event slash bound in basis points.
     */
    constructor(
        IERC20 token_,
        address admin,
        uint256 minStake_,
        uint256 unbondingDelay_,
        uint256 maxSlashBps_
    ) RegistryConfig(token_, admin, minStake_, unbondingDelay_, maxSlashBps_) {}

    /**
     * @notice Registers the caller under `peerId`, bonding `stake` (needs a token approval).
     * @dev Reverts while paused.
     * @param peerId The caller's libp2p peer id (its string form), unique in the registry.
     * @param stake The amount to bond; at least `minStake`.
     */
    function register(string calldata peerId, uint256 stake) external whenNotPaused {
        if (_operators[msg.sender].registered) revert Registry_AlreadyRegistered(msg.sender);
        uint256 length = bytes(peerId).length;
        if (length == 0 || length > MAX_PEER_ID_LENGTH) revert Registry_InvalidPeerId();
        bytes32 key = keccak256(bytes(peerId));
        if (_byPeerId[key] != address(0)) revert Registry_PeerIdTaken(peerId);
        if (stake < minStake) revert Registry_StakeTooLow(stake, minStake);

        _operators[msg.sender] = Operator({
            stake: SafeCast.toUint128(stake),
            leaveReadyAt: 0,
            registered: true
        });
        _peerIds[msg.sender] = peerId;
        _byPeerId[key] = msg.sender;

        emit OperatorRegistered(msg.sender, peerId, stake);
        if (stake > 0) SafeERC20.safeTransferFrom(token, msg.sender, address(this), stake);
    }

    /**
     * @notice Adds `amount` to the caller's stake (needs a token approval).
     * @dev Reverts while paused or once the caller asked to leave.
     * @param amount The amount to add.
     */
    function increaseStake(uint256 amount) external whenNotPaused {
        if (amount == 0) revert Registry_ZeroAmount();
        Operator storage op = _requireRegistered(msg.sender);
        if (op.leaveReadyAt != 0) revert Registry_AlreadyLeaving(msg.sender);

        uint256 stake = op.stake + amount;
        op.stake = SafeCast.toUint128(stake);

        emit StakeIncreased(msg.sender, amount, stake);
        SafeERC20.safeTransferFrom(token, msg.sender, address(this), amount);
    }

    /**
     * @notice Starts the caller's unbonding; it stays registered and slashable until it
     * withdraws its stake.
     */
    function requestLeave() external {
        Operator storage op = _requireRegistered(msg.sender);
        if (op.leaveReadyAt != 0) revert Registry_AlreadyLeaving(msg.sender);

        uint256 readyAt = block.timestamp + unbondingDelay;
        op.leaveReadyAt = uint64(readyAt);

        emit LeaveRequested(msg.sender, readyAt);
    }

    /**
     * @notice Ends the caller's registration after unbonding and returns its stake.
     * @dev Frees the peer id for another registration.
     * @return amount The stake returned.
     */
    function withdrawStake() external returns (uint256 amount) {
        Operator memory op = _requireRegistered(msg.sender);
        if (op.leaveReadyAt == 0) revert Registry_NotLeaving(msg.sender);
        if (block.timestamp < op.leaveReadyAt) {
            revert Registry_UnbondingNotFinished(op.leaveReadyAt);
        }

        amount = op.stake;
        delete _byPeerId[keccak256(bytes(_peerIds[msg.sender]))];
        delete _peerIds[msg.sender];
        delete _operators[msg.sender];

        emit StakeWithdrawn(msg.sender, amount);
        if (amount > 0) SafeERC20.safeTransfer(token, msg.sender, amount);
    }

    /**
     * @notice Slashes `amount` of `operator`'s stake for the misbehaviour in `evidenceHash`.
     * @dev Only COORDINATOR_ROLE, not while paused. At most `maxSlashBps` of the current
     * stake per event, and each evidence hash backs one slash only.
     * @param operator The registered operator (active or unbonding).
     * @param amount The amount to take.
     * @param evidenceHash Hash of the evidence, e.g. of a faulty receipt.
     */
    function slash(address operator, uint256 amount, bytes32 evidenceHash)
        external
        onlyRole(COORDINATOR_ROLE)
        whenNotPaused
    {
        if (amount == 0) revert Registry_ZeroAmount();
        if (evidenceHash == bytes32(0)) revert Registry_EmptyEvidence();
        if (_usedEvidence[evidenceHash]) revert Registry_EvidenceAlreadyUsed(evidenceHash);
        Operator storage op = _requireRegistered(operator);
        uint256 maximum = (uint256(op.stake) * maxSlashBps) / BPS;
        if (amount > maximum) revert Registry_SlashTooLarge(amount, maximum);

        _usedEvidence[evidenceHash] = true;
        uint256 stake;
        unchecked {
            stake = op.stake - amount;
        }
        op.stake = uint128(stake);
        slashedBalance += amount;

        emit OperatorSlashed(operator, evidenceHash, amount, stake);
    }

    /**
     * @notice Pays all slashed stake to `to`.
     * @dev Only TREASURY_ROLE.
     * @param to The recipient.
     * @return amount The amount paid.
     */
    function claimSlashed(address to) external onlyRole(TREASURY_ROLE) returns (uint256 amount) {
        if (to == address(0)) revert Registry_ZeroAddress();
        amount = slashedBalance;
        if (amount == 0) revert Registry_NothingToClaim();

        slashedBalance = 0;

        emit SlashedClaimed(to, amount);
        SafeERC20.safeTransfer(token, to, amount);
    }

    /// @inheritdoc IOperatorRegistry
    function isRegistered(address operator) external view returns (bool) {
        return _operators[operator].registered;
    }

    /**
     * @notice The operator that announced `peerId`.
     * @param peerId The libp2p peer id.
     * @return The operator, or the zero address if none.
     */
    function operatorOf(string calldata peerId) external view returns (address) {
        return _byPeerId[keccak256(bytes(peerId))];
    }

    /**
     * @notice The peer id `operator` announced.
     * @param operator The operator.
     * @return The peer id, or an empty string if unregistered.
     */
    function peerIdOf(address operator) external view returns (string memory) {
        return _peerIds[operator];
    }

    /**
     * @notice The stake `operator` has bonded now.
     * @param operator The operator.
     * @return The stake.
     */
    function stakeOf(address operator) external view returns (uint256) {
        return _operators[operator].stake;
    }

    /**
     * @notice The registration of `operator`.
     * @param operator The operator.
     * @return registered Whether it holds a registration.
     * @return stake Its bonded stake.
     * @return leaveReadyAt When its stake can be withdrawn (zero if it has not asked to leave).
     */
    function operatorInfo(address operator)
        external
        view
        returns (bool registered, uint256 stake, uint256 leaveReadyAt)
    {
        Operator memory op = _operators[operator];
        return (op.registered, op.stake, op.leaveReadyAt);
    }

    /**
     * @notice Whether `evidenceHash` already backed a slash.
     * @param evidenceHash The evidence hash.
     * @return True if used.
     */
    function isEvidenceUsed(bytes32 evidenceHash) external view returns (bool) {
        return _usedEvidence[evidenceHash];
    }

    function _requireRegistered(address operator) private view returns (Operator storage op) {
        op = _operators[operator];
        if (!op.registered) revert Registry_NotRegistered(operator);
    }
}
