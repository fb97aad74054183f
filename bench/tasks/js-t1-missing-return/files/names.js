const fullName = (user) => {
  `${user.first} ${user.last}`;
};

module.exports = { fullName };
